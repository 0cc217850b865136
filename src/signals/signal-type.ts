/**
 * The one interface every hash algorithm implements, so that matching, storage and exchange code
 * never special-case an algorithm (the python-threatexchange lesson). Adding an algorithm means
 * writing one `SignalType` and listing it in `registry.ts`.
 */
import type { IndexOptions, SignalIndex, Snapshot } from '../index/index.js';
import type { MediaKind } from '../media/detect.js';

/** One stored value of a type, as a bulk index build reads them. */
export interface IndexEntry {
  id: number;
  value: string;
}

/**
 * The type in HMA's vocabulary (src/api/hma): absent, HMA's API neither accepts nor lists it.
 */
export interface HmaForm {
  /** HMA's name for it (our md5 is HMA's `video_md5`). */
  readonly name: string;
  /** Further names HMA requests may use for it. */
  readonly aliases?: readonly string[];
  /** Listed by `/c/signal_type` and looked up when a request names no type. */
  readonly listed: boolean;
  /** The HMA content type (`photo`, `video`) it belongs to, if any. */
  readonly contentType?: string;
  /** HMA's text form → the canonical form (absent: the same). */
  fromHma?(value: string): string;
  /** The canonical form → HMA's text form (absent: the same). */
  toHma?(value: string): string;
  /** The distance HMA's lookups show ("12", "-", "85%[90%]"). */
  distance(match: { distance: number; detail?: Record<string, number> }): string;
  /** The detail object of HMA's `/m/compare` for one comparison. */
  compareDetail(result: CompareResult): Record<string, number>;
}

/** What a signal type can be computed from: decoded images, decoded videos, any bytes, or none (text: keywords). */
export type SignalMedia = MediaKind | 'any' | 'text';

/** How two values of a type are compared. */
export type Comparison = 'exact' | 'hamming' | 'frames';

/** Input to a hasher: a file path, and its bytes when the caller already holds them. */
export interface MediaInput {
  path: string;
  bytes?: Buffer;
}

export interface HashContext {
  /** Refuse images declaring more pixels (decompression-bomb guard). */
  maxImagePixels: number;
  /** Apply EXIF orientation before hashing images (the reference does not). */
  autoOrient?: boolean;
  /** vPDQ: one frame per this many seconds, 0 = every frame. */
  secondsPerHash?: number;
  /** PDQ: also compute the eight dihedral variants. */
  dihedral?: boolean;
  /** Images: the opt-in fast decode of large JPEGs (media/image.ts DecodeOptions.fast). */
  fastDecode?: boolean;
  /** Long hashes (videos) report progress in [0, 1]. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

export interface FrameValue {
  frame: number;
  quality: number;
  hash: string;
  timestamp: number;
}

/** One computed signal. `value` is the canonical text stored and exchanged. */
export interface SignalValue {
  value: string;
  quality?: number;
  /** PDQ dihedral variants, by variant name. */
  variants?: Record<string, string>;
  /** vPDQ frames (the same content as `value`, structured). */
  frames?: FrameValue[];
  /** Made by the opt-in fast decode (HashContext.fastDecode) at a reduced size: close to the exact value, not equal. */
  decode?: 'fast';
}

export interface CompareResult {
  match: boolean;
  /** Lower is closer: Hamming bits, 0/1 for exact types, 100 − query match % for frame types. */
  distance: number;
  detail?: Record<string, number>;
}

/** Incremental hashing over raw file bytes, so the hasher reads a file once for many types. */
export interface ByteHasher {
  update(chunk: Uint8Array): void;
  digest(): SignalValue;
}

export interface SignalType {
  /** Unique, lowercase: the name used on the command line, in the API and in exchanges. */
  readonly name: string;
  readonly description: string;
  /** Media it hashes ('any' = the bytes of any file). */
  readonly media: SignalMedia;
  readonly comparison: Comparison;
  /**
   * The default match rule: maximum distance for 'hamming', 0 for 'exact', minimum percentage of
   * query frames matched for 'frames'.
   */
  readonly defaultThreshold: number;
  /**
   * The loosest threshold a lookup may ask for, where a looser one would return material that is
   * not similar at all (letting a lookup token list a bank). Absent: any (exact types ignore it).
   */
  readonly maxThreshold?: number;
  /**
   * Normalising and comparing its values can take seconds (a long video's frames): servers do it
   * on their compute threads, never on the thread that serves HTTP, within their frame limits.
   */
  readonly costly?: boolean;
  /** How many units (vPDQ: frames) a value holds, counted without parsing it: servers cap them per request. */
  units?(value: string): number;
  /** Validates a value and returns its canonical form; throws SIGNAL_MALFORMED. */
  normalize(value: string): string;
  /**
   * How a value looked up is checked, where that is looser than a stored one (a searched text
   * needs no minimum length: "hi" simply matches nothing). Absent: `normalize`.
   */
  normalizeQuery?(value: string): string;
  /** Compares two canonical values under `threshold` (default: `defaultThreshold`). */
  compare(a: string, b: string, threshold?: number): CompareResult;
  /** Computes the signal of a file. */
  hash(input: MediaInput, ctx: HashContext): Promise<SignalValue>;
  /** Present on types computed from raw bytes (cryptographic digests). */
  byteHasher?(): ByteHasher;
  /** A new, empty index for values of this type. */
  createIndex(options?: IndexOptions): SignalIndex;
  /**
   * Builds an index from every stored value at once (pages in id order), where that is faster
   * than adding them one by one (PDQ packs them). Absent: `createIndex` and `add` (registry `buildIndex`).
   * The matcher passes `options.expected`, the number of values the pages hold.
   */
  buildIndex?(pages: AsyncIterable<readonly IndexEntry[]>, options?: IndexOptions): Promise<SignalIndex>;
  /**
   * How retro-matching finds the submissions received before a bank gained a value: 'value' by
   * the stored value itself (exact types: a database lookup), 'index' through an in-memory index
   * of the submissions' values (`createIndex`, queried at `defaultThreshold`).
   */
  readonly retroMatch: 'value' | 'index';
  /**
   * Whether a bare value (a hash literal on a command line, a hash list line, a case target) looks
   * like one of this type. Types that cannot tell (keywords: any text) leave it out. Several
   * types may recognise a value (64 hex digits: PDQ and SHA-256): the registry's `recogniseType`
   * takes the first registered, and PDQ is registered before SHA-256.
   */
  recognise?(value: string): boolean;
  /** A comparison's result for people ("distance 12 (threshold 31)", "identical"). */
  describe(result: CompareResult, threshold: number): string;
  /** The kinds of file whose signal of this type `alliance compare` uses when none is named. */
  readonly primaryFor?: readonly MediaKind[];
  /**
   * What the check API (/api/v1/check) takes this type for: 'upload' a request field of the upload
   * check (named after the type), 'text' the type searched text is looked up as. Absent: neither.
   */
  readonly check?: 'upload' | 'text';
  /** Its name and value forms in HMA's API; absent: not part of it. */
  readonly hma?: HmaForm;
  /**
   * A sample value for HMA's sample exchange (src/exchange/apis/sample.ts); generated, never taken
   * from real material. Absent: the sample exchange yields nothing of this type.
   */
  readonly example?: string;
  /** The index a snapshot of this type holds. */
  restoreIndex(snapshot: Snapshot, options?: IndexOptions): SignalIndex;
}
