/** Validating an exchange's configuration and an API's credentials against the API's TypeBox schemas. */
import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { AllianceError } from '../../errors/catalogue.js';

/** The value with the schema's defaults filled in, or EXCHANGE_CONFIG_INVALID naming the first wrong field. */
export function checkAgainst<T>(schema: TSchema, value: unknown, what: string): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AllianceError('EXCHANGE_CONFIG_INVALID', `${what} must be a JSON object`);
  const filled = Value.Default(schema, structuredClone(value));
  if (Value.Check(schema, filled)) return filled as T;
  const errors = [...Value.Errors(schema, filled)];
  const extra = errors.find((e) => e.keyword === 'additionalProperties');
  const first = extra ?? errors.find((e) => e.keyword !== 'boolean') ?? errors[0];
  const field = first?.instancePath ? first.instancePath.slice(1).replace(/\//g, '.') : '';
  const names = extra ? ((extra.params as { additionalProperties?: string[] }).additionalProperties ?? []).join(', ') : '';
  throw new AllianceError(
    'EXCHANGE_CONFIG_INVALID',
    extra ? `${what}: unknown field${names.includes(',') ? 's' : ''} ${names}` : `${what}${field ? ` field ${field}` : ''}: ${first?.message ?? 'invalid'}`,
    { details: { field: extra ? names : field } },
  );
}
