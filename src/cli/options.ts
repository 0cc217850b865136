/** Parsers for command-line values: each throws a USAGE error that names the option. */
import { InvalidArgumentError } from 'commander';

export function positiveInt(name: string) {
  return (text: string): number => {
    const n = Number(text.replace(/[_,]/g, ''));
    if (!Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer.`);
    return n;
  };
}

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
