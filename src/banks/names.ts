/** Bank names, as HMA defines them: upper-case letters, digits and underscores. */
import { AllianceError } from '../errors/catalogue.js';

export const BANK_NAME_RE = /^[A-Z0-9_]+$/;

export function checkBankName(name: unknown): string {
  if (typeof name !== 'string' || !BANK_NAME_RE.test(name) || name.length > 100) {
    throw new AllianceError(
      'BANK_NAME_INVALID',
      `bank name must match ^[A-Z0-9_]+$ (at most 100 characters), got ${JSON.stringify(String(name).slice(0, 120))}`,
    );
  }
  return name;
}
