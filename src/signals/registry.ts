/**
 * The registry of signal types, checked when the module loads: names unique, lowercase, and every
 * type complete. Everything that needs "all algorithms" — or one algorithm's capability — asks here.
 */
import { AllianceError } from '../errors/catalogue.js';
import type { IndexOptions, SignalIndex } from '../index/index.js';
import type { MediaKind } from '../media/detect.js';
import { md5Signal, sha1Signal, sha256Signal } from './crypto/digest.js';
import { keywordSignal } from './keyword/signal.js';
import { pdqSignal } from './pdq/signal.js';
import type { IndexEntry, SignalType } from './signal-type.js';
import { vpdqSignal } from './vpdq/signal.js';

/** What every signal type must provide: the rest of the code asks these of any algorithm. */
export const REQUIRED_CAPABILITIES = ['normalize', 'compare', 'hash', 'createIndex', 'restoreIndex', 'describe'] as const;

/** Throws unless `t` is a complete signal type (name, functions, threshold, retro-match mode, HMA form). */
export function checkSignalType(t: SignalType): void {
  if (typeof t.name !== 'string' || !/^[a-z][a-z0-9_]*$/.test(t.name)) throw new Error(`signal type name "${t.name}" must be lowercase [a-z0-9_]`);
  for (const fn of REQUIRED_CAPABILITIES) {
    if (typeof t[fn] !== 'function') throw new Error(`signal type "${t.name}" lacks ${fn}()`);
  }
  for (const fn of ['units', 'normalizeQuery', 'byteHasher', 'buildIndex', 'recognise'] as const) {
    if (t[fn] !== undefined && typeof t[fn] !== 'function') throw new Error(`signal type "${t.name}": ${fn} must be a function`);
  }
  if (!Number.isFinite(t.defaultThreshold)) throw new Error(`signal type "${t.name}" has no default threshold`);
  if (t.retroMatch !== 'value' && t.retroMatch !== 'index') throw new Error(`signal type "${t.name}" lacks retroMatch ('value' or 'index')`);
  if (t.retroMatch === 'value' && t.comparison !== 'exact') throw new Error(`signal type "${t.name}": only exact types retro-match by value`);
  if (t.check !== undefined && t.check !== 'upload' && t.check !== 'text') throw new Error(`signal type "${t.name}": check must be 'upload' or 'text'`);
  if (t.example !== undefined && (typeof t.example !== 'string' || t.normalize(t.example) !== t.example))
    throw new Error(`signal type "${t.name}": its example must be a value in canonical form`);
  if (t.hma) {
    if (!/^[a-z][a-z0-9_]*$/.test(t.hma.name)) throw new Error(`signal type "${t.name}": HMA name "${t.hma.name}" must be lowercase [a-z0-9_]`);
    for (const fn of ['distance', 'compareDetail'] as const)
      if (typeof t.hma[fn] !== 'function') throw new Error(`signal type "${t.name}": HMA form lacks ${fn}()`);
  }
}

/** Checks a list of signal types and indexes it by name; throws on a duplicate or invalid entry. */
export function buildRegistry(types: readonly SignalType[]): Map<string, SignalType> {
  const map = new Map<string, SignalType>();
  for (const t of types) {
    checkSignalType(t);
    if (map.has(t.name)) throw new Error(`signal type "${t.name}" registered twice`);
    const hmaNames = new Set([...map.values()].flatMap((o) => (o.hma ? [o.hma.name, ...(o.hma.aliases ?? [])] : [])));
    for (const n of t.hma ? [t.hma.name, ...(t.hma.aliases ?? [])] : []) if (hmaNames.has(n)) throw new Error(`signal type "${t.name}": HMA name "${n}" taken`);
    map.set(t.name, t);
  }
  return map;
}

// The order matters where types overlap: `recogniseType` takes the first (PDQ before SHA-256).
const registry = buildRegistry([pdqSignal, vpdqSignal, md5Signal, sha1Signal, sha256Signal, keywordSignal]);
const BUILT_IN = new Set(registry.keys());

/** Every signal type, in registration order. */
export const SIGNAL_TYPES: ReadonlyMap<string, SignalType> = registry;

/**
 * Adds a signal type after the built-in ones (tests: a toy type proves that nothing outside
 * its definition needs to change). Register it before starting what indexes or serves types
 * (a Matcher, an API): they read the registry when they start. Returns a function that removes it.
 */
export function registerSignalType(t: SignalType): () => void {
  const next = buildRegistry([...registry.values(), t]);
  registry.set(t.name, next.get(t.name)!);
  return () => {
    if (!BUILT_IN.has(t.name) && registry.get(t.name) === t) registry.delete(t.name);
  };
}

/**
 * The signal type a bare value most likely is: the first registered type that recognises it
 * (64 hex digits: PDQ rather than SHA-256), optionally among `among` only; undefined if none.
 * Used by the CLI (hash literals), triage (hash lists) and case targets alike.
 */
export function recogniseType(value: string, among?: Iterable<SignalType>): SignalType | undefined {
  const v = value.trim();
  if (!v) return undefined;
  for (const t of among ?? SIGNAL_TYPES.values()) if (t.recognise?.(v)) return t;
  return undefined;
}

/** A type's index over every stored value (pages in id order): its bulk build, or one add per value. */
export async function buildIndex(type: SignalType, pages: AsyncIterable<readonly IndexEntry[]>, options?: IndexOptions): Promise<SignalIndex> {
  if (type.buildIndex) return type.buildIndex(pages, options);
  const index = type.createIndex(options);
  for await (const page of pages) for (const e of page) index.add(e.id, e.value);
  return index;
}

/** The types the check API's upload check takes, each a request field of its name. */
export function uploadCheckTypes(): SignalType[] {
  return [...SIGNAL_TYPES.values()].filter((t) => t.check === 'upload');
}

/** The type searched text is checked as (keywords). */
export function textCheckType(): SignalType {
  const t = [...SIGNAL_TYPES.values()].find((x) => x.check === 'text');
  if (!t) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', 'no signal type checks text');
  return t;
}

/** The signal type HMA calls `hmaName` (its name or an alias), if HMA's API takes it. */
export function typeOfHmaName(hmaName: string): SignalType | undefined {
  for (const t of SIGNAL_TYPES.values()) if (t.hma && (t.hma.name === hmaName || t.hma.aliases?.includes(hmaName))) return t;
  return undefined;
}

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
  if (type.maxThreshold !== undefined && threshold > type.maxThreshold)
    throw new AllianceError('VALIDATION', `threshold for ${type.name} is at most ${type.maxThreshold}`);
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
