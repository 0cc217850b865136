/** API tokens: random, shown once, stored as SHA-256 only. */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'alli_';

export function newToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The part of a token that may be shown in lists and logs. */
export function tokenPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
