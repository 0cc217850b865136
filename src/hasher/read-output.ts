/**
 * Reading `alliance hash` output back (output.ts writes it): the CSV (`path,type,hash,quality,
 * frame,timestamp`, one row per signal, one per frame for frame signals such as vPDQ, `type.variant`
 * rows for dihedral variants) and the JSON Lines (one object per file). Either becomes one record
 * per file holding all its signals — a file's PDQ, MD5, SHA-1 and SHA-256 are one content, not
 * four. Frame rows are put back in the reference frame-line form (`frame,quality,hash,timestamp`),
 * which is the canonical value of a frame signal. Records keep the line they start on for errors.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CSV_HEADER } from './output.js';

export interface HashedSignal {
  type: string;
  value: string;
  quality: number | null;
}

export interface HashedFile {
  path: string;
  /** The line (CSV: of its first row) the file starts on. */
  line: number;
  size: number | null;
  signals: HashedSignal[];
  /** Why the hasher could not give every signal (a failed or skipped file), else null. */
  error: string | null;
}

export const HASH_CSV_COLUMNS = CSV_HEADER.split(',');

/** Whether a CSV header (lower-cased, trimmed names) is `alliance hash` output's. */
export function isHashCsvHeader(columns: readonly string[]): boolean {
  return ['path', 'type', 'hash'].every((c) => columns.includes(c)) && !columns.includes('signal_type');
}

const quality = (v: string, at: string): number | null => {
  if (v === '') return null;
  const q = Number(v);
  if (!Number.isInteger(q) || q < 0 || q > 100) throw new Error(`${at}: quality must be an integer 0–100, got "${v.slice(0, 20)}"`);
  return q;
};

/**
 * Groups the rows of an `alliance hash` CSV by file, in the order files first appear. `get(name)`
 * reads a column of the current row. Frame rows of one file and type are joined, in row order,
 * into one frame-signal value.
 */
export class HashCsvGrouper {
  private readonly files = new Map<string, { file: HashedFile; frames: Map<string, string[]> }>();

  add(line: number, get: (column: string) => string): void {
    const path = get('path');
    if (!path) throw new Error('path is empty');
    const raw = get('type').toLowerCase();
    const hash = get('hash');
    if (!raw) throw new Error('type is empty');
    if (!hash) throw new Error('hash is empty');
    // "pdq.rot90" and the like: a dihedral variant, one more signal of the base type.
    const type = raw.includes('.') ? raw.slice(0, raw.indexOf('.')) : raw;
    let entry = this.files.get(path);
    if (!entry) {
      entry = { file: { path, line, size: null, signals: [], error: null }, frames: new Map() };
      this.files.set(path, entry);
    }
    const frame = get('frame');
    if (frame !== '') {
      const q = get('quality');
      const timestamp = get('timestamp');
      if (!/^\d+$/.test(frame)) throw new Error(`frame must be a frame number, got "${frame.slice(0, 20)}"`);
      if (!/^\d+(\.\d+)?$/.test(timestamp)) throw new Error(`timestamp must be seconds, got "${timestamp.slice(0, 20)}"`);
      quality(q, 'quality');
      const lines = entry.frames.get(type) ?? [];
      lines.push(`${frame},${q},${hash},${timestamp}`);
      entry.frames.set(type, lines);
      return;
    }
    entry.file.signals.push({ type, value: hash, quality: quality(get('quality'), 'quality') });
  }

  /** The files, each with its frame signals joined. */
  *result(): Generator<HashedFile> {
    for (const { file, frames } of this.files.values()) {
      for (const [type, lines] of frames) file.signals.push({ type, value: lines.join('\n'), quality: null });
      yield file;
    }
  }
}

interface JsonSignal {
  hash?: unknown;
  quality?: unknown;
  variants?: unknown;
  frames?: unknown;
}

function jsonSignals(signals: unknown): HashedSignal[] {
  if (signals === undefined || signals === null) return [];
  if (typeof signals !== 'object' || Array.isArray(signals)) throw new Error('signals must be an object of type → signal');
  const out: HashedSignal[] = [];
  for (const [type, s] of Object.entries(signals as Record<string, JsonSignal>)) {
    if (typeof s !== 'object' || s === null) throw new Error(`signals.${type} must be an object`);
    const q = typeof s.quality === 'number' ? s.quality : null;
    if (Array.isArray(s.frames)) {
      const lines = s.frames.map((f, i) => {
        const { frame, quality: fq, hash, timestamp } = (f ?? {}) as Record<string, unknown>;
        if (!Number.isInteger(frame) || !Number.isInteger(fq) || typeof hash !== 'string' || typeof timestamp !== 'number')
          throw new Error(`signals.${type}.frames[${i}] must be {frame, quality, hash, timestamp}`);
        return `${frame},${fq},${hash},${timestamp.toFixed(3)}`;
      });
      if (lines.length) out.push({ type: type.toLowerCase(), value: lines.join('\n'), quality: null });
      continue;
    }
    if (typeof s.hash !== 'string') throw new Error(`signals.${type}.hash must be a string`);
    out.push({ type: type.toLowerCase(), value: s.hash, quality: q });
    if (s.variants && typeof s.variants === 'object') {
      for (const [variant, v] of Object.entries(s.variants as Record<string, unknown>)) {
        if (variant !== 'original' && typeof v === 'string') out.push({ type: type.toLowerCase(), value: v, quality: q });
      }
    }
  }
  return out;
}

/** One line of `alliance hash --format jsonl` → a file's record (throws with the reason). */
export function parseHashJsonLine(text: string, line: number): HashedFile {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    throw new Error('not a JSON object');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new Error('not a JSON object');
  const r = o as Record<string, unknown>;
  if (typeof r.path !== 'string' || r.path === '') throw new Error('path must be a non-empty string');
  const size = typeof r.size === 'number' && Number.isSafeInteger(r.size) && r.size >= 0 ? r.size : null;
  const e = r.error as { code?: unknown; message?: unknown } | null | undefined;
  const error =
    e && typeof e === 'object'
      ? `${String(e.message ?? 'failed')}${e.code ? ` [${String(e.code)}]` : ''}`
      : r.status && r.status !== 'hashed'
        ? String(r.status)
        : null;
  return { path: r.path, line, size, signals: jsonSignals(r.signals), error };
}

/** The records of a JSON Lines file, streamed; a bad line is an Error naming the line. */
export async function* readHashJsonl(path: string): AsyncGenerator<HashedFile | Error> {
  let line = 0;
  for await (const raw of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })) {
    line++;
    const text = raw.replace(/^\uFEFF/, '').trim();
    if (!text) continue;
    try {
      yield parseHashJsonLine(text, line);
    } catch (err) {
      yield new Error(`line ${line}: ${(err as Error).message}`);
    }
  }
}
