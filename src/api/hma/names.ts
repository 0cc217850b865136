/**
 * HMA's vocabulary over Alliance's: signal type names (`video_md5` is our `md5` of a video),
 * content types (`photo`, `video`) and the vPDQ text form (HMA: a JSON array of
 * "pdqhex,quality,timestamp" strings; Alliance: reference lines "frame,quality,pdqhex,timestamp").
 */
import { AllianceError } from '../../errors/catalogue.js';
import { parseVpdq } from '../../signals/vpdq/format.js';

/** HMA signal type name → Alliance name. */
const TO_NATIVE: Record<string, string> = { pdq: 'pdq', video_md5: 'md5', vpdq: 'vpdq', md5: 'md5', sha1: 'sha1', sha256: 'sha256' };
const TO_HMA: Record<string, string> = { pdq: 'pdq', md5: 'video_md5', vpdq: 'vpdq', sha1: 'sha1', sha256: 'sha256' };

export const HMA_SIGNAL_TYPES = ['pdq', 'video_md5', 'vpdq'] as const;
export const CONTENT_TYPES: Record<string, string[]> = { photo: ['pdq'], video: ['md5', 'vpdq'] };

/** The native types of an HMA content type (`photo`, `video`), or undefined (own keys only). */
export function contentTypeSignals(contentType: string): string[] | undefined {
  return Object.hasOwn(CONTENT_TYPES, contentType) ? CONTENT_TYPES[contentType] : undefined;
}

/** Own keys only: `constructor`, `toString` or `__proto__` are not signal types. */
export function nativeType(hmaName: string): string | undefined {
  return Object.hasOwn(TO_NATIVE, hmaName) ? TO_NATIVE[hmaName] : undefined;
}

export function hmaType(native: string): string {
  return Object.hasOwn(TO_HMA, native) ? TO_HMA[native] : native;
}

/** An HMA signal value in Alliance's canonical form (only vPDQ differs). */
export function nativeValue(native: string, value: string): string {
  if (native !== 'vpdq') return value;
  let items: unknown;
  try {
    items = JSON.parse(value);
  } catch {
    // Alliance's own line form is accepted too.
    return value;
  }
  if (!Array.isArray(items) || items.some((x) => typeof x !== 'string')) throw new AllianceError('SIGNAL_MALFORMED', 'vpdq must be a JSON array of "pdqhex,quality,timestamp" strings');
  return (items as string[])
    .map((item, frame) => {
      const [hash, quality, timestamp] = item.split(',');
      return `${frame},${quality},${hash},${timestamp}`;
    })
    .join('\n');
}

/** An Alliance value in HMA's form. */
export function hmaValue(native: string, value: string): string {
  if (native !== 'vpdq') return value;
  return JSON.stringify(parseVpdq(value).map((f) => `${f.hash},${f.quality},${f.timestamp.toFixed(3)}`));
}

/** HMA's distance text: bits for pdq, "-" for exact types, "q%[c%]" for vpdq. */
export function hmaDistance(native: string, distance: number, detail?: Record<string, number>): string {
  if (native === 'vpdq' && detail) return `${detail.queryMatchPercent.toFixed(0)}%[${detail.comparedMatchPercent.toFixed(0)}%]`;
  if (native === 'pdq') return String(distance);
  return '-';
}

