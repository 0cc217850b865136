/**
 * Route-schema validation (the one validation mechanism) with two Ajv instances: query strings,
 * path parameters and headers arrive as text, so they are coerced to the schema's types; JSON
 * bodies are typed already, so they are not — `{"name": 12345}` is refused instead of becoming
 * bank "12345", and `"Infinity"` is not a number.
 *
 * Free-form JSON fields (metadata, reports) carry the `x-alliance-json` keyword with their depth
 * and size limits (`freeJson()`): Ajv enforces it and the OpenAPI document states it.
 */
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import fastUri from 'fast-uri';
import type { FastifySchemaCompiler } from 'fastify';
import { Type } from 'typebox';
import { FREE_JSON_LIMITS, jsonLimitProblem, type JsonLimits } from '../store/index.js';

/** Fastify's own defaults (@fastify/ajv-compiler), but for type coercion. */
const BASE: Options = { useDefaults: true, removeAdditional: false, uriResolver: fastUri, addUsedSchema: false, allErrors: false };

export const JSON_LIMITS_KEYWORD = 'x-alliance-json';

function makeAjv(coerce: boolean): Ajv {
  const ajv = new Ajv({ ...BASE, coerceTypes: coerce ? 'array' : false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addKeyword({
    keyword: JSON_LIMITS_KEYWORD,
    schemaType: 'object',
    errors: true,
    validate: function check(limits: JsonLimits, data: unknown) {
      const self = check as { errors?: Array<{ keyword: string; message: string; params: object }> };
      const problem = jsonLimitProblem(data, limits);
      if (problem) self.errors = [{ keyword: JSON_LIMITS_KEYWORD, message: problem, params: limits }];
      return !problem;
    },
  });
  return ajv;
}

/** The validator compiler for `app.setValidatorCompiler`. */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const coercing = makeAjv(true);
  const strict = makeAjv(false);
  return ({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema as object);
}

/**
 * A free-form JSON object field with depth and size limits (checked, and stated in OpenAPI).
 * @example metadata: Type.Optional(Type.Union([Type.Null(), freeJson('Your own fields')]))
 */
export function freeJson(description: string, limits: JsonLimits = FREE_JSON_LIMITS) {
  return Type.Record(Type.String(), Type.Unknown(), {
    description: `${description} (free-form JSON object: at most ${limits.depth} levels deep and ${Math.round(limits.bytes / 1024)} KiB as JSON)`,
    [JSON_LIMITS_KEYWORD]: limits,
  });
}
