/**
 * Credentials kept in the database (webhook secrets; exchange credentials later) are encrypted at
 * rest with AES-256-GCM under a key kept beside the media key (`data/secrets.key`, 0600, never in
 * the database): a copy of the database, a backup or a read-only SQL account does not give them
 * away. Stored form: `enc1:<base64 of iv | tag | ciphertext>`; the purpose is bound as associated
 * data, so a value copied into another column does not decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AllianceError } from '../errors/catalogue.js';
import { keyFile } from './data-dir.js';

const PREFIX = 'enc1:';

export class SecretBox {
  private key: Buffer | undefined;

  constructor(private readonly dataDir: string) {}

  private keyBytes(): Buffer {
    return (this.key ??= keyFile(this.dataDir, 'secrets.key'));
  }

  /** Whether a stored value is already encrypted. */
  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /** Encrypts `plain` for `purpose` (e.g. "webhook.secret"). */
  seal(plain: string, purpose: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    cipher.setAAD(Buffer.from(purpose));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** Decrypts a stored value; a value stored in clear by an older version is returned as it is. */
  open(stored: string, purpose: string): string {
    if (!SecretBox.isSealed(stored)) return stored;
    const data = Buffer.from(stored.slice(PREFIX.length), 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), data.subarray(0, 12));
      decipher.setAAD(Buffer.from(purpose));
      decipher.setAuthTag(data.subarray(12, 28));
      return Buffer.concat([decipher.update(data.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new AllianceError('INTERNAL', `a stored ${purpose} does not decrypt with this node's secrets.key (was the data directory's key replaced?)`);
    }
  }
}
