/**
 * Hashes one file with the requested signal types: sniffs what the content is, reads the bytes
 * once (in memory for images, streamed for anything large) for every digest type, and decodes
 * for the perceptual types. Every outcome is a result; nothing here throws for bad input.
 */
import { open, readFile } from 'node:fs/promises';
import { AllianceError, toAllianceError, type ErrorCode } from '../errors/catalogue.js';
import { kindFromName, sniff, SNIFF_BYTES, type MediaKind } from '../media/detect.js';
import { appliesTo, defaultTypesFor, type HashContext, SIGNAL_TYPES, type SignalValue, streamFile } from '../signals/index.js';
import type { FileEntry } from './walk.js';

export interface HashRequest {
  /** Signal type names; empty = the default for each file's media kind. */
  types: string[];
  maxImagePixels: number;
  maxInMemoryBytes: number;
  autoOrient: boolean;
  secondsPerHash: number;
  dihedral: boolean;
  /** The opt-in fast decode of large JPEGs (triage at disk speed); each such hash says `decode: 'fast'`. */
  fastDecode?: boolean;
}

export interface FileResult {
  path: string;
  size?: number;
  media?: MediaKind;
  format?: string;
  status: 'hashed' | 'skipped' | 'failed';
  /** Computed signals by type name (also present, for the types that worked, on failed files). */
  signals: Record<string, SignalValue>;
  error?: { code: ErrorCode; message: string };
}

async function readHead(path: string): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function describe(kind: MediaKind, format: string): string {
  return kind === 'other' ? (format === 'text' ? 'text' : 'not a recognised image or video') : `${format} ${kind}`;
}

/**
 * Hashes one file.
 * @example await hashFile({ path: 'a.jpg', size: 1234 }, request, (p) => {})
 */
export async function hashFile(entry: FileEntry, req: HashRequest, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<FileResult> {
  const result: FileResult = { path: entry.path, size: entry.size, status: 'failed', signals: {} };
  const fail = (code: ErrorCode, message: string): FileResult => ({ ...result, status: 'failed', error: { code, message } });
  if (entry.size === 0) return fail('FILE_EMPTY', 'empty file (0 bytes)');
  if (!entry.fsPath) return hashAt(entry.path, entry, req, result, onProgress, signal);
  // A name that is not UTF-8 cannot be written as a string path: open its bytes, and let the
  // decoders (ffmpeg included, a child process) read the open file through /proc.
  let fh;
  try {
    fh = await open(Buffer.from(entry.fsPath), 'r');
  } catch (err) {
    return { ...result, error: toAllianceError(err).toJSON() };
  }
  try {
    return await hashAt(`/proc/${process.pid}/fd/${fh.fd}`, entry, req, result, onProgress, signal);
  } finally {
    await fh.close();
  }
}

async function hashAt(
  path: string,
  entry: FileEntry,
  req: HashRequest,
  result: FileResult,
  onProgress?: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<FileResult> {
  const fail = (code: ErrorCode, message: string): FileResult => ({ ...result, status: 'failed', error: { code, message } });
  let head: Buffer;
  try {
    head = await readHead(path);
  } catch (err) {
    return { ...result, error: toAllianceError(err).toJSON() };
  }
  const { kind, format } = sniff(head);
  result.media = kind;
  result.format = format;

  const promised = kindFromName(entry.path);
  // By default a file gets the perceptual hash its name promises, so a mislabelled file is an error.
  const requested = req.types.length ? req.types.map((n) => SIGNAL_TYPES.get(n)!) : defaultTypesFor(promised ?? kind);
  const wantsPerceptual = requested.some((t) => t.media !== 'any' && t.media === promised);
  // A mislabelled (or corrupt) file still has bytes: it keeps its digests beside the error.
  const mismatch =
    promised && promised !== kind && wantsPerceptual
      ? new AllianceError('MEDIA_MISMATCH', `named like ${promised === 'image' ? 'an image' : 'a video'} but the content is ${describe(kind, format)}`)
      : null;
  const types = requested.filter((t) => (mismatch ? t.byteHasher !== undefined : appliesTo(t, kind)));
  if (mismatch && types.length === 0) return fail(mismatch.code, mismatch.message);
  if (types.length === 0) {
    return { ...result, status: 'skipped', error: { code: 'SIGNAL_NOT_APPLICABLE', message: `${req.types.join(',')} cannot hash ${describe(kind, format)}` } };
  }

  const ctx: HashContext = {
    maxImagePixels: req.maxImagePixels,
    autoOrient: req.autoOrient,
    secondsPerHash: req.secondsPerHash,
    dihedral: req.dihedral,
    fastDecode: req.fastDecode,
    onProgress,
    signal,
  };
  const errors: AllianceError[] = mismatch ? [mismatch] : [];
  try {
    // Images are read once and shared by the decoder and the digests; other files are streamed.
    const bytes = kind === 'image' && entry.size <= req.maxInMemoryBytes ? await readFile(path) : undefined;
    const byteTypes = types.filter((t) => t.byteHasher);
    const byteHashers = byteTypes.map((t) => t.byteHasher!());
    if (bytes) for (const h of byteHashers) h.update(bytes);
    else if (byteHashers.length) await streamFile(path, byteHashers, signal);
    byteTypes.forEach((t, i) => (result.signals[t.name] = byteHashers[i].digest()));
    for (const t of types.filter((x) => !x.byteHasher)) {
      try {
        result.signals[t.name] = await t.hash({ path, bytes }, ctx);
      } catch (err) {
        errors.push(toAllianceError(err));
      }
    }
  } catch (err) {
    errors.push(toAllianceError(err));
  }
  // Signals in the order the types were asked for (registry order by default).
  const signals = Object.fromEntries(types.filter((t) => result.signals[t.name]).map((t) => [t.name, result.signals[t.name]]));
  if (errors.length) return { ...result, signals, status: 'failed', error: errors[0].toJSON() };
  return { ...result, signals, status: 'hashed' };
}

/** Validates type names given by the user (throws USAGE listing the known names). */
export function parseTypeList(text: string | undefined): string[] {
  if (!text) return [];
  const names = [
    ...new Set(
      text
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
  for (const n of names) {
    if (!SIGNAL_TYPES.has(n)) throw new AllianceError('USAGE', `unknown signal type "${n}" in --types (known: ${[...SIGNAL_TYPES.keys()].join(', ')})`);
  }
  return names;
}
