/**
 * Media kept for a review, encrypted at rest (AES-256-GCM, a random key in data/media.key that
 * never leaves the node) and only while the review needs it: deleted with the verdict, or by the
 * retention rule when a review waits too long. The database never holds media.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyFile } from '../store/index.js';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';

const KEY_FILE = 'media.key';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class MediaVault {
  private readonly dir: string;
  private key: Buffer | undefined;

  constructor(private readonly dataDir: string) {
    this.dir = join(dataDir, 'review-media');
  }

  /** The key, created on first use (mode 0600). */
  private keyBytes(): Buffer {
    return (this.key ??= keyFile(this.dataDir, KEY_FILE));
  }

  private file(id: number): string {
    return join(this.dir, `${id}.bin`);
  }

  async put(id: number, bytes: Buffer): Promise<void> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyBytes(), iv);
    cipher.setAAD(Buffer.from(String(id))); // a file moved to another id does not decrypt
    const body = Buffer.concat([cipher.update(bytes), cipher.final()]);
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    await writeFile(this.file(id), Buffer.concat([iv, cipher.getAuthTag(), body]), { mode: 0o600 });
  }

  async get(id: number): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.file(id));
    } catch {
      throw new AllianceError('MEDIA_GONE', `the media of review ${id} is no longer kept`);
    }
    const decipher = createDecipheriv('aes-256-gcm', this.keyBytes(), data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(String(id)));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } catch {
      throw new AllianceError('INTERNAL', `the stored media of review ${id} does not decrypt (damaged, or another node's key)`);
    }
  }

  /** The review ids that have a file here. */
  async ids(): Promise<number[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    return names
      .map((n) => /^(\d+)\.bin$/.exec(n)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(Number);
  }

  async delete(id: number): Promise<void> {
    await rm(this.file(id), { force: true });
  }
}
