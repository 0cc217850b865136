/**
 * The audit log's key: `data/audit.key` (0600, never in the database), a random 32-byte HMAC key
 * and `from`, the first entry id hashed with it (entries before it were written by a version that
 * had no key). Created by the first append that needs it, inside the appending transaction, so
 * `from` is exactly the next entry; processes sharing the data directory share the key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';
import { type ChainKey, createOnce } from '../store/index.js';

export const AUDIT_KEY_FILE = 'audit.key';
/** The meta row naming the key the database's chain is keyed with (its fingerprint and `from`). */
export const AUDIT_KEY_META = 'audit_key';

/** A key's public name: a fingerprint and where it starts (never the key). */
export function keyId(k: ChainKey): string {
  return `${createHash('sha256').update(k.key).digest('hex').slice(0, 16)}@${k.from}`;
}

export class AuditKey {
  private cached: ChainKey | undefined;

  constructor(private readonly dataDir: string) {}

  private get file(): string {
    return join(this.dataDir, AUDIT_KEY_FILE);
  }

  /** The key, if it exists (verification: without it every entry is checked as plain SHA-256). */
  read(): ChainKey | undefined {
    if (this.cached) return this.cached;
    if (!existsSync(this.file)) return undefined;
    let parsed: { version?: unknown; key?: unknown; from?: unknown };
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as typeof parsed;
    } catch {
      throw new AllianceError('INTERNAL', `${AUDIT_KEY_FILE} in the data directory is not an audit key file`);
    }
    const key = typeof parsed.key === 'string' ? Buffer.from(parsed.key, 'base64') : Buffer.alloc(0);
    if (parsed.version !== 1 || key.length !== 32 || !Number.isSafeInteger(parsed.from) || (parsed.from as number) < 1) {
      throw new AllianceError('INTERNAL', `${AUDIT_KEY_FILE} in the data directory is damaged (version 1, a 32-byte key, from ≥ 1)`);
    }
    return (this.cached = { key, from: parsed.from as number });
  }

  /** The key for appending after entry `lastId`: read, or created to start at `lastId + 1`. */
  forAppend(lastId: number): ChainKey {
    const existing = this.read();
    if (existing) return existing;
    // Another process may create it at the same moment: the first one in place is the key for all.
    createOnce(this.file, `${JSON.stringify({ version: 1, key: randomBytes(32).toString('base64'), from: lastId + 1 })}\n`);
    return this.read()!;
  }
}
