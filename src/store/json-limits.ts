/**
 * Limits on free-form JSON kept in JSON columns (content metadata, report bodies): depth and
 * size. A value nested thousands deep overflows the stack of `JSON.stringify` (a 500 before these
 * limits); a huge one bloats every page that carries it. The API states and checks the same limits
 * in its schemas (`api/validation.ts`); imports and feeds meet them here.
 */
import { AllianceError } from '../errors/catalogue.js';

export interface JsonLimits {
  /** Levels of nesting (an object of scalars is 1). */
  depth: number;
  /** Bytes as JSON text. */
  bytes: number;
}

/** Limits of free-form JSON that people send through the API (stated in its schemas). */
export const FREE_JSON_LIMITS: JsonLimits = Object.freeze({ depth: 16, bytes: 64 * 1024 });

/**
 * Limits of what any path may store in a JSON column: exchange files keep their exporters' own
 * fields verbatim (an NCMEC entry's feedback nests deeper than people write by hand).
 */
export const STORED_JSON_LIMITS: JsonLimits = Object.freeze({ depth: 32, bytes: 1024 * 1024 });

/** Nesting depth of a parsed JSON value, walked without recursion; stops counting past `stopAt`. */
export function jsonDepth(value: unknown, stopAt = Infinity): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > stopAt) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth]);
  }
  return max;
}

/** Why `value` breaks the limits, or undefined. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits = FREE_JSON_LIMITS): string | undefined {
  if (jsonDepth(value, limits.depth) > limits.depth) return `must be nested at most ${limits.depth} levels deep`;
  if (Buffer.byteLength(JSON.stringify(value) ?? '') > limits.bytes) return `must be at most ${limits.bytes.toLocaleString('en')} bytes as JSON`;
  return undefined;
}

/**
 * The JSON text of a free-form field, or VALIDATION naming the field.
 * @example jsonColumn(c.metadata, 'metadata') // '{"case":"17"}'
 */
export function jsonColumn(value: unknown, field: string, limits: JsonLimits = STORED_JSON_LIMITS): string {
  const problem = jsonLimitProblem(value, limits);
  if (problem) throw new AllianceError('VALIDATION', `${field} ${problem}`);
  return JSON.stringify(value);
}
