/**
 * Cryptographic digests (MD5, SHA-1, SHA-256) as signal types: exact matching, computed by
 * streaming the file in chunks so that a file of any size is hashed in constant memory.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { AllianceError, fromErrno } from '../../errors/catalogue.js';
import { ExactIndex } from '../../index/index.js';
import type { ByteHasher, CompareResult, MediaInput, SignalType, SignalValue } from '../signal-type.js';

const CHUNK_BYTES = 1024 * 1024;

/**
 * Feeds a file through byte hashers in 1 MiB reads into one reused buffer: constant memory for a
 * file of any size (no per-chunk allocation for the garbage collector to catch up with).
 */
export async function streamFile(path: string, hashers: readonly ByteHasher[], signal?: AbortSignal): Promise<number> {
  let fh: FileHandle | undefined;
  let bytes = 0;
  try {
    fh = await open(path, 'r');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buf.subarray(0, bytesRead);
      for (const h of hashers) h.update(chunk);
      bytes += bytesRead;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall) throw fromErrno(err as NodeJS.ErrnoException);
    throw err;
  } finally {
    await fh?.close();
  }
  return bytes;
}

function digestType(
  name: string,
  algorithm: string,
  hexLength: number,
  description: string,
  extra: Pick<SignalType, 'hma' | 'check' | 'primaryFor' | 'example'>,
): SignalType {
  const re = new RegExp(`^[0-9a-f]{${hexLength}}$`);
  const normalize = (value: string): string => {
    const v = value.trim().toLowerCase();
    if (!re.test(v)) throw new AllianceError('SIGNAL_MALFORMED', `${name} must be ${hexLength} hex digits, got "${value.slice(0, 80)}"`);
    return v;
  };
  const byteHasher = (): ByteHasher => {
    const h: Hash = createHash(algorithm);
    return {
      update: (chunk) => void h.update(chunk),
      digest: (): SignalValue => ({ value: h.digest('hex') }),
    };
  };
  return {
    name,
    description,
    media: 'any',
    comparison: 'exact',
    defaultThreshold: 0,
    normalize,
    compare(a: string, b: string): CompareResult {
      const match = normalize(a) === normalize(b);
      return { match, distance: match ? 0 : 1 };
    },
    async hash(input: MediaInput, ctx): Promise<SignalValue> {
      const h = byteHasher();
      if (input.bytes) h.update(input.bytes);
      else await streamFile(input.path, [h], ctx.signal);
      return h.digest();
    },
    byteHasher,
    retroMatch: 'value',
    recognise: (value) => value.length === hexLength && /^[0-9a-fA-F]+$/.test(value),
    describe: (r) => (r.match ? 'identical → match' : 'different → no match'),
    ...extra,
    createIndex: () => new ExactIndex(name),
    restoreIndex: (snap) => ExactIndex.fromSnapshot(snap),
  };
}

/** HMA shows no distance for exact types, and compares them with no detail. */
const exactHma = (name: string, listed: boolean, extra: { aliases?: string[]; contentType?: string } = {}) => ({
  name,
  listed,
  ...extra,
  distance: () => '-',
  compareDetail: () => ({}),
});

// HMA knows MD5 as `video_md5` (its videos' exact hash); it takes sha1 and sha256 without listing them.
export const md5Signal = digestType('md5', 'md5', 32, 'MD5 of the file bytes (exact match; NCMEC, Project VIC)', {
  check: 'upload',
  // Random bits (openssl rand), the digest of no file.
  example: 'aca7f5406a4507a7b0cad6dc61fbe928',
  hma: exactHma('video_md5', true, { aliases: ['md5'], contentType: 'video' }),
});
export const sha1Signal = digestType('sha1', 'sha1', 40, 'SHA-1 of the file bytes (exact match; NCMEC, Project VIC)', { hma: exactHma('sha1', false) });
export const sha256Signal = digestType('sha256', 'sha256', 64, 'SHA-256 of the file bytes (exact match)', {
  check: 'upload',
  primaryFor: ['other'],
  hma: exactHma('sha256', false),
});
