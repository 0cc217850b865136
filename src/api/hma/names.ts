/**
 * HMA's vocabulary over Alliance's, as each signal type declares it (`SignalType.hma`): signal
 * type names (`video_md5` is our `md5` of a video), content types (`photo`, `video`) and value
 * forms (HMA's vPDQ is a JSON array of "pdqhex,quality,timestamp" strings). Nothing here names
 * a type: a type without an HMA form is not part of HMA's API.
 */
import { type CompareResult, SIGNAL_TYPES, typeOfHmaName } from '../../signals/index.js';

/** The HMA names `/c/signal_type` lists and a lookup naming no type tries, sorted by name. */
export function hmaSignalTypes(): string[] {
  return [...SIGNAL_TYPES.values()].flatMap((t) => (t.hma?.listed ? [t.hma.name] : [])).sort();
}

/** The HMA content types the signal types declare, in registry order (`photo`, `video`). */
export function hmaContentTypes(): string[] {
  return [...new Set([...SIGNAL_TYPES.values()].flatMap((t) => (t.hma?.contentType ? [t.hma.contentType] : [])))];
}

/** The native types of an HMA content type (`photo`, `video`), or undefined (none declares it). */
export function contentTypeSignals(contentType: string): string[] | undefined {
  const types = [...SIGNAL_TYPES.values()].filter((t) => t.hma?.contentType === contentType).map((t) => t.name);
  return types.length ? types : undefined;
}

/** The Alliance name of an HMA signal type name (or alias); undefined if HMA's API has no such type. */
export function nativeType(hmaName: string): string | undefined {
  return typeOfHmaName(hmaName)?.name;
}

export function hmaType(native: string): string {
  return SIGNAL_TYPES.get(native)?.hma?.name ?? native;
}

/** An HMA signal value in Alliance's canonical form (the type's `fromHma`, if it has one). */
export function nativeValue(native: string, value: string): string {
  const hma = SIGNAL_TYPES.get(native)?.hma;
  return hma?.fromHma ? hma.fromHma(value) : value;
}

/** An Alliance value in HMA's form. */
export function hmaValue(native: string, value: string): string {
  const hma = SIGNAL_TYPES.get(native)?.hma;
  return hma?.toHma ? hma.toHma(value) : value;
}

/** HMA's distance text, as the type formats it ("-" for a type without an HMA form). */
export function hmaDistance(native: string, distance: number, detail?: Record<string, number>): string {
  return SIGNAL_TYPES.get(native)?.hma?.distance({ distance, detail }) ?? '-';
}

/** HMA's `/m/compare` detail of one comparison. */
export function hmaCompareDetail(native: string, result: CompareResult): Record<string, number> {
  return SIGNAL_TYPES.get(native)?.hma?.compareDetail(result) ?? {};
}
