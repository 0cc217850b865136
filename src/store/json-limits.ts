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

/** The JSON text of `value` and why it breaks the limits (or undefined): the text is made once. */
function checked(value: unknown, limits: JsonLimits): { text: string | undefined; problem: string | undefined } {
  if (jsonDepth(value, limits.depth) > limits.depth) return { text: undefined, problem: `must be nested at most ${limits.depth} levels deep` };
  const text = JSON.stringify(value) as string | undefined;
  // Bytes are counted only when the text could exceed them (a UTF-16 unit is at most 3 bytes).
  if (text !== undefined && text.length * 3 > limits.bytes && Buffer.byteLength(text) > limits.bytes)
    return { text, problem: `must be at most ${limits.bytes.toLocaleString('en')} bytes as JSON` };
  return { text, problem: undefined };
}

/** Why `value` breaks the limits, or undefined. */
export function jsonLimitProblem(value: unknown, limits: JsonLimits = FREE_JSON_LIMITS): string | undefined {
  return checked(value, limits).problem;
}

/**
 * The JSON text of a free-form field, or VALIDATION naming the field.
 * @example jsonColumn(c.metadata, 'metadata') // '{"case":"17"}'
 */
export function jsonColumn(value: unknown, field: string, limits: JsonLimits = STORED_JSON_LIMITS): string {
  const { text, problem } = checked(value, limits);
  if (problem) throw new AllianceError('VALIDATION', `${field} ${problem}`);
  return text as string;
}
