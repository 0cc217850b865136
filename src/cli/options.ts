/** Parsers for command-line values: each throws a USAGE error that names the option. */
import { InvalidArgumentError } from 'commander';
import { recogniseType } from '../signals/index.js';

function integerFrom(name: string, min: number, what: string) {
  return (text: string): number => {
    const n = Number(text.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n < min || text.trim() === '') throw new InvalidArgumentError(`${name} must be ${what}.`);
    return n;
  };
}

export const positiveInt = (name: string) => integerFrom(name, 1, 'a positive integer');
export const nonNegativeInt = (name: string) => integerFrom(name, 0, 'an integer ≥ 0');

export function nonNegativeNumber(name: string) {
  return (text: string): number => {
    const n = Number(text);
    if (!Number.isFinite(n) || n < 0 || text.trim() === '') throw new InvalidArgumentError(`${name} must be a number ≥ 0.`);
    return n;
  };
}

export function oneOf<T extends string>(name: string, values: readonly T[]) {
  return (text: string): T => {
    if (!values.includes(text as T)) throw new InvalidArgumentError(`${name} must be one of ${values.join(', ')}.`);
    return text as T;
  };
}

/** The signal type a bare hex hash most likely is (the registry's guess: 64 hex digits are PDQ rather than SHA-256); undefined if none. */
export function typeOfHexLiteral(text: string): string | undefined {
  const t = text.trim();
  if (!/^[0-9a-fA-F]+$/.test(t)) return undefined;
  return recogniseType(t)?.name;
}
