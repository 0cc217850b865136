/**
 * The registry of signal types, checked when the module loads: names unique, lowercase, and every
 * type complete. Everything that needs "all algorithms" asks here.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { MediaKind } from '../media/detect.js';
import { md5Signal, sha1Signal, sha256Signal } from './crypto/digest.js';
import { keywordSignal } from './keyword/signal.js';
import { pdqSignal } from './pdq/signal.js';
import type { SignalType } from './signal-type.js';
import { vpdqSignal } from './vpdq/signal.js';

/** Checks a list of signal types and indexes it by name; throws on a duplicate or invalid entry. */
export function buildRegistry(types: readonly SignalType[]): ReadonlyMap<string, SignalType> {
  const map = new Map<string, SignalType>();
  for (const t of types) {
    if (!/^[a-z][a-z0-9_]*$/.test(t.name)) throw new Error(`signal type name "${t.name}" must be lowercase [a-z0-9_]`);
    if (map.has(t.name)) throw new Error(`signal type "${t.name}" registered twice`);
    for (const fn of ['normalize', 'compare', 'hash', 'createIndex', 'restoreIndex'] as const) {
      if (typeof t[fn] !== 'function') throw new Error(`signal type "${t.name}" lacks ${fn}()`);
    }
    if (!Number.isFinite(t.defaultThreshold)) throw new Error(`signal type "${t.name}" has no default threshold`);
    map.set(t.name, t);
  }
  return map;
}

export const SIGNAL_TYPES = buildRegistry([pdqSignal, vpdqSignal, md5Signal, sha1Signal, sha256Signal, keywordSignal]);

/** The signal type of that name, or SIGNAL_TYPE_UNKNOWN listing the known ones. */
export function getSignalType(name: string): SignalType {
  const t = SIGNAL_TYPES.get(name.trim().toLowerCase());
  if (!t) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `unknown signal type "${name}" (known: ${[...SIGNAL_TYPES.keys()].join(', ')})`);
  return t;
}

/**
 * The threshold a lookup or comparison of `type` runs at: the type's default, or `asked` when it is
 * a finite number from 0 to the type's maximum (VALIDATION otherwise).
 */
export function thresholdFor(type: SignalType, asked: number | undefined): number {
  const threshold = asked ?? type.defaultThreshold;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) throw new AllianceError('VALIDATION', 'threshold must be a number ≥ 0');
  if (type.maxThreshold !== undefined && threshold > type.maxThreshold) throw new AllianceError('VALIDATION', `threshold for ${type.name} is at most ${type.maxThreshold}`);
  return threshold;
}

/** Whether a type can be computed from content of this kind. */
export function appliesTo(type: SignalType, kind: MediaKind): boolean {
  return type.media === 'any' || type.media === kind;
}

/** The types hashed when the user names none: the perceptual hash of the media kind plus all digests. */
export function defaultTypesFor(kind: MediaKind): SignalType[] {
  return [...SIGNAL_TYPES.values()].filter((t) => t.media === 'any' || t.media === kind);
}
