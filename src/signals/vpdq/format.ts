/**
 * The reference vPDQ text form: one line per hashed frame, `frame,quality,pdqhex,timestamp_s`
 * with the timestamp printed to three decimals. This is also the canonical value of a vPDQ
 * signal in banks and exchanges.
 */
import { AllianceError } from '../../errors/catalogue.js';
import { normalizeHash256Hex } from '../pdq/hash256.js';

export interface VpdqFrame {
  frame: number;
  quality: number;
  hash: string;
  /** Seconds from the start, as float32 frame / fps like the reference. */
  timestamp: number;
}

/** Serialises frames as reference lines (no trailing newline). */
export function formatVpdq(frames: readonly VpdqFrame[]): string {
  return frames.map(formatVpdqLine).join('\n');
}

export function formatVpdqLine(f: VpdqFrame): string {
  return `${f.frame},${f.quality},${f.hash},${f.timestamp.toFixed(3)}`;
}

/**
 * Parses reference lines (blank lines ignored, CRLF accepted).
 * @example parseVpdq('0,100,e429…54,0.000')
 */
export function parseVpdq(text: string): VpdqFrame[] {
  const frames: VpdqFrame[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    const parts = line.split(',');
    const fail = (why: string) => new AllianceError('SIGNAL_MALFORMED', `vPDQ line ${i + 1}: ${why}: "${line.slice(0, 100)}"`);
    if (parts.length !== 4) throw fail('expected frame,quality,pdqhex,timestamp');
    const frame = Number(parts[0]);
    const quality = Number(parts[1]);
    const timestamp = Number(parts[3]);
    if (!Number.isInteger(frame) || frame < 0) throw fail('frame is not a non-negative integer');
    if (!Number.isInteger(quality) || quality < 0 || quality > 100) throw fail('quality is not an integer 0…100');
    if (!Number.isFinite(timestamp) || timestamp < 0) throw fail('timestamp is not a non-negative number');
    let hash: string;
    try {
      hash = normalizeHash256Hex(parts[2]);
    } catch {
      throw fail('hash is not 64 hex digits');
    }
    frames.push({ frame, quality, hash, timestamp });
  }
  return frames;
}

/** Frame lines (non-blank lines) of a value, counted without splitting it (a hostile value is megabytes). */
export function countFrameLines(text: string): number {
  let n = 0;
  let inLine = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) inLine = false;
    else if (!inLine && c !== 13 && c !== 32 && c !== 9) {
      inLine = true;
      n++;
    }
  }
  return n;
}
