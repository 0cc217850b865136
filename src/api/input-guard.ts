/**
 * Rules every request's input obeys, whatever the route, so no route can forget them:
 * - JSON bodies are at most `MAX_JSON_DEPTH` levels deep, checked on the text before it is parsed
 *   (a body nested thousands deep would overflow the stack of whatever walks it next);
 * - no text — body field or key, query parameter, path parameter, form field — holds a NUL
 *   (U+0000): PostgreSQL cannot store it in text, and no Alliance field has a use for it.
 * Both are 400 VALIDATION naming where the fault is.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AllianceError } from '../errors/catalogue.js';

export const MAX_JSON_DEPTH = 32;

/** Throws VALIDATION when JSON text nests deeper than `max` (strings are skipped, escapes honoured). */
export function checkJsonDepth(text: string, max = MAX_JSON_DEPTH): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) throw new AllianceError('VALIDATION', `the JSON body is nested more than ${max} levels deep`);
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}

interface Step {
  parent: Step | undefined;
  key: string | number;
}

const pathOf = (root: string, step: Step | undefined): string => {
  const keys: Array<string | number> = [];
  for (let s = step; s; s = s.parent) keys.push(s.key);
  // eslint-disable-next-line no-control-regex -- control characters are what this removes or escapes
  return [root, ...keys.reverse().map((k) => String(k).replace(/\u0000/g, '\\u0000'))].join('/');
};

/**
 * Where the first string holding a NUL is (`body/name`, `body/tags/2`), or undefined. Keys count
 * too. Walked without recursion and without building a path until one is found (a hostile body
 * holds millions of values).
 */
export function findNul(value: unknown, root: string): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? root : undefined;
  const stack: Array<[object, Step | undefined]> = [];
  if (value !== null && typeof value === 'object') stack.push([value, undefined]);
  while (stack.length) {
    const [v, at] = stack.pop()!;
    const visit = (k: string | number, child: unknown): string | undefined => {
      if (typeof k === 'string' && k.includes('\u0000')) return pathOf(root, { parent: at, key: k });
      if (typeof child === 'string') return child.includes('\u0000') ? pathOf(root, { parent: at, key: k }) : undefined;
      if (child !== null && typeof child === 'object') stack.push([child, { parent: at, key: k }]);
      return undefined;
    };
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const hit = visit(i, v[i]);
        if (hit) return hit;
      }
    } else {
      for (const k of Object.keys(v)) {
        const hit = visit(k, (v as Record<string, unknown>)[k]);
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

/** Refuses text holding a NUL (one rule for every field of every route). */
export function refuseNul(value: unknown, root: string): void {
  const at = findNul(value, root);
  if (at) throw new AllianceError('VALIDATION', `${at} contains a NUL character (U+0000), which text may not hold`);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The JSON parser with the depth rule (plugins that keep the raw text reuse it). */
    parseJsonBody(request: FastifyRequest, text: string): unknown;
  }
}

/** Requests whose JSON text holds a \u0000 escape: only their bodies are walked for the NUL rule. */
const nulEscapes = new WeakSet<FastifyRequest>();

export const inputGuardPlugin = fp(async (app: FastifyInstance, opts: { jsonBodyLimit: number }) => {
  const defaultParse = app.getDefaultJsonParser('error', 'error');
  const parse = (request: FastifyRequest, text: string): unknown => {
    checkJsonDepth(text);
    // In JSON text a NUL can only be written as the escape \u0000: without one, the body holds none.
    if (text.includes('\\u0000')) nulEscapes.add(request);
    let out: unknown;
    let failure: Error | null = null;
    defaultParse(request, text, (err, body) => {
      failure = err;
      out = body;
    });
    if (failure) throw failure;
    return out;
  };
  app.decorate('parseJsonBody', parse);
  app.removeContentTypeParser('application/json');
  // JSON is parsed on the thread that serves HTTP: its size is capped below that of uploads.
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: opts.jsonBodyLimit }, (request, text, done) => {
    try {
      done(null, parse(request, text as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    refuseNul(request.params, 'params');
    refuseNul(request.query, 'querystring');
    const parsedHere = request.headers['content-type']?.toLowerCase().startsWith('application/json');
    if (parsedHere ? nulEscapes.has(request) : request.body !== null && typeof request.body === 'object' && !Buffer.isBuffer(request.body))
      refuseNul(request.body, 'body');
    else if (typeof request.body === 'string') refuseNul(request.body, 'body');
  });
});
