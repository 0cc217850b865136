/**
 * Output of `alliance hash`: CSV (one row per signal; one per frame for vPDQ, in the reference's
 * frame,quality,hash,timestamp terms) or JSON Lines (one object per file, failures included).
 */
import type { FileResult } from './hash-file.js';

export type OutputFormat = 'csv' | 'jsonl';
/** Internal: JSON Lines with every signal's text value (frame signals too), for triage's resumable state file. */
export type InternalFormat = OutputFormat | 'state';
export const CSV_HEADER = 'path,type,hash,quality,frame,timestamp';

/** RFC 4180 quoting when a field needs it. */
/** Text placed in HTML (element content or a quoted attribute). */
export function htmlText(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export function csvField(value: string | number | undefined): string {
  if (value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function csvRow(fields: Array<string | number | undefined>): string {
  return fields.map(csvField).join(',');
}

/** With the fast decode asked for, CSV rows gain this column: which decode made the row's hash (exact or fast). */
export const CSV_DECODE_COLUMN = 'decode';

/** CSV rows of one file's signals (none for a file without signals); `decode`: with the decode column. */
export function csvRows(r: FileResult, decode = false): string[] {
  const rows: string[] = [];
  for (const [type, s] of Object.entries(r.signals)) {
    const mode = decode ? [s.decode ?? 'exact'] : [];
    if (s.frames) {
      for (const f of s.frames) rows.push(csvRow([r.path, type, f.hash, f.quality, f.frame, f.timestamp.toFixed(3), ...mode]));
      continue;
    }
    // Every row has the header's six fields (frame and timestamp empty outside videos).
    rows.push(csvRow([r.path, type, s.value, s.quality, '', '', ...mode]));
    for (const [variant, hash] of Object.entries(s.variants ?? {})) {
      if (variant !== 'original') rows.push(csvRow([r.path, `${type}.${variant}`, hash, s.quality, '', '', ...mode]));
    }
  }
  return rows;
}

/** One JSON line per file; vPDQ as a `frames` array instead of the text value. */
export function jsonLine(r: FileResult, withValues = false): string {
  const signals: Record<string, unknown> = {};
  for (const [type, s] of Object.entries(r.signals)) {
    signals[type] = s.frames
      ? withValues
        ? { hash: s.value, frames: s.frames.length }
        : { frames: s.frames.map((f) => ({ ...f, timestamp: Number(f.timestamp.toFixed(3)) })) }
      : { hash: s.value, quality: s.quality, variants: s.variants, decode: s.decode };
  }
  return JSON.stringify({ path: r.path, size: r.size, media: r.media, format: r.format, status: r.status, signals, error: r.error });
}

/** Formats results for a stream; `header()` once, then `format(result)` per file, in order. */
export function formatter(format: InternalFormat, fastDecode = false): { header(): string; format(r: FileResult): string } {
  if (format === 'csv') {
    return {
      header: () => `${CSV_HEADER}${fastDecode ? `,${CSV_DECODE_COLUMN}` : ''}\n`,
      format: (r) =>
        csvRows(r, fastDecode)
          .map((row) => `${row}\n`)
          .join(''),
    };
  }
  return { header: () => '', format: (r) => `${jsonLine(r, format === 'state')}\n` };
}
