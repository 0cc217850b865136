/**
 * The read side of HammingIndex, as plain functions over typed arrays, so that the same code
 * probes the index on the main thread and, over shared memory, on query threads.
 */
import { popcount32 } from '../signals/pdq/hash256.js';
import { chunkValue, probeSet } from './chunks.js';
import { kernelChunks, nativeKernel, type NativeKernel } from './native.js';

export interface ChunkTable {
  start: number;
  bits: number;
  suffixBits: number;
  /**
   * Bucket offsets, two-level (bases built since issue 19's speed work): the entries whose chunk
   * starts with `key` are bucketOffset(t, key) … bucketOffset(t, key + 1), where the offset of a key
   * is blockBase[key >>> OFFSET_BLOCK_BITS] + rel[key] — two bytes a key instead of four, so keys
   * get one more bit for the same memory. A block whose entries overflow 16 bits has WIDE set in
   * its base, the rest of which is where its keys' absolute offsets start in `wide`.
   */
  blockBase?: Uint32Array;
  rel?: Uint16Array;
  wide?: Uint32Array;
  /** Flat bucket offsets: offsets[key] … offsets[key + 1] (snapshots written before issue 19's speed work). */
  offsets?: Uint32Array;
  /**
   * The entries, in one of three forms: none (the base's slots are ordered by this chunk, so the
   * entries of a key are the slots offsets[key] … offsets[key + 1] themselves and their suffix is
   * read from the hash: the first chunk of every base built since issue 19); `packed`
   * (slot << packShift | suffix, one memory access an entry; while the slot fits the bits the
   * suffix leaves); or `slots` with `suffixes` beside them.
   */
  packed?: Uint32Array;
  /** Bits of a packed entry below its slot: the suffix's width (8 in bases built before issue 19). */
  packShift?: number;
  slots?: Uint32Array;
  suffixes?: Uint8Array | Uint16Array;
  /**
   * One bit per chunk value, set when some entry has exactly that value: filters probe values
   * before their bucket is read. Built only where it costs little memory (see layoutFor).
   */
  present?: Uint32Array;
}

/**
 * What a prober reads: the slots and the chunk tables built over slots below `baseCount`.
 * `alive` is a bitset (bit s & 31 of word s >>> 5). `numbering` changes whenever a rebuild
 * renumbers the slots, so that a slot number from a query thread is only used with the arrays of
 * the same numbering.
 */
export interface HammingView {
  hashes: Uint32Array;
  ids: Uint32Array;
  alive: Uint32Array;
  chunks: ChunkTable[];
  baseCount: number;
  numbering: number;
}

export type Hit = (slot: number, distance: number) => void;

/** Keys per block of two-level bucket offsets: 2^6 (a block's base costs 1/16 byte a key). */
export const OFFSET_BLOCK_BITS = 6;
/** The flag of a block base whose offsets are in `wide`. */
export const WIDE = 0x80000000;

/** Where the entries whose chunk starts with `key` begin (`key` up to 2^keyBits, where they all end). */
export function bucketOffset(t: ChunkTable, key: number): number {
  if (t.offsets) return t.offsets[key];
  const b = t.blockBase![key >>> OFFSET_BLOCK_BITS];
  return b < WIDE ? b + t.rel![key] : t.wide![b - WIDE + (key & ((1 << OFFSET_BLOCK_BITS) - 1))];
}

/** The number of bucket offsets of a table (2^keyBits + 1). */
export function offsetCount(t: ChunkTable): number {
  return t.offsets ? t.offsets.length : t.rel!.length;
}

/** Whether slot `s` of the bitset is set. */
export function bitSet(bits: Uint32Array, s: number): boolean {
  return ((bits[s >>> 5] >>> (s & 31)) & 1) === 1;
}

function distanceTo(h: Uint32Array, q: Uint32Array): (slot: number) => number {
  const q0 = q[0],
    q1 = q[1],
    q2 = q[2],
    q3 = q[3],
    q4 = q[4],
    q5 = q[5],
    q6 = q[6],
    q7 = q[7];
  return (slot: number): number => {
    const p = slot * 8;
    return (
      popcount32(h[p] ^ q0) +
      popcount32(h[p + 1] ^ q1) +
      popcount32(h[p + 2] ^ q2) +
      popcount32(h[p + 3] ^ q3) +
      popcount32(h[p + 4] ^ q4) +
      popcount32(h[p + 5] ^ q5) +
      popcount32(h[p + 6] ^ q6) +
      popcount32(h[p + 7] ^ q7)
    );
  };
}

/** Every live slot in [from, to) within `threshold`, by comparing each. */
export function scanSlots(v: Pick<HammingView, 'hashes' | 'alive'>, q: Uint32Array, threshold: number, from: number, to: number, hit: Hit): void {
  const distance = distanceTo(v.hashes, q);
  const alive = v.alive;
  for (let slot = from; slot < to; slot++) {
    if (((alive[slot >>> 5] >>> (slot & 31)) & 1) === 0) continue;
    const d = distance(slot);
    if (d <= threshold) hit(slot, d);
  }
}

/** Popcount of each byte value (suffix filters compare at most 16 bits). */
export const POP8 = Uint8Array.from({ length: 256 }, (_, x) => {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
});

/**
 * The probe radius of each chunk at `threshold` (generalized pigeonhole): if Σ (r_c + 1) > T, two
 * hashes within T differ by at most r_c bits on some chunk c. Every chunk gets floor(T / m); the
 * slack m·(floor(T / m) + 1) − (T + 1) lowers that many of the widest chunks by one, and a radius
 * of −1 skips the chunk (at T = 0 one chunk is probed, exactly). At T = 31 with 11 chunks one
 * 24-bit chunk probes radius 1 (25 values instead of 301).
 */
export function chunkRadii(bits: readonly number[], threshold: number): Int8Array {
  const m = bits.length;
  const r = Math.floor(threshold / m);
  const slack = m * (r + 1) - (threshold + 1);
  const radii = new Int8Array(m).fill(r);
  const widest = [...bits.keys()].sort((a, b) => bits[b] - bits[a] || a - b);
  for (let i = 0; i < slack; i++) radii[widest[i]] = r - 1;
  return radii;
}

/** Scratch space of the phased probe, grown on demand (one per thread: modules are per thread). */
let probeKeys = new Uint32Array(4096);
let probeSuffixes = new Uint32Array(4096);
let probeAllowed = new Uint8Array(4096);
let rangeStarts = new Uint32Array(4096);
let rangeEnds = new Uint32Array(4096);
let candidates = new Uint32Array(4096);
let candidateChunks = new Uint8Array(4096);

/** `a`, or a copy of it with room for `need` elements. */
export function grown<T extends Uint8Array | Uint16Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

/**
 * When the buckets of a query hold more entries than this many times the base, or more of them
 * pass the suffix filter than this share of the base, the probe scans the base instead: on a bank
 * of near-identical entries (a long still shot of a video) one chunk value holds tens of thousands
 * of them, and reading them through the chunk tables would cost more than comparing every slot
 * (an entry filtered costs ~1/20 of a slot compared, a candidate verified about as much as one).
 */
export const SCAN_ENTRIES = 8;
export const SCAN_CANDIDATES = 0.5;

/** Counters of the last probeBase on this thread (bench:match prints them). */
export const probeCounters = {
  probes: 0,
  buckets: 0,
  entries: 0,
  candidates: 0,
  /** 1 when the last probe scanned the base instead (see SCAN_ENTRIES). */
  scanned: 0,
  /** the touch loads' XOR, kept so they are not optimized away */
  touched: 0,
  /** probes the C kernel refused (a damaged chunk table; the JavaScript phases answered) */
  kernelFailures: 0,
};

/**
 * Every live slot of the base within `threshold`, once each, by probing every chunk value within
 * its radius (chunkRadii) of the query's (the pigeonhole principle makes this exact).
 *
 * Chunks with a bitmap of the values present test each probe value in it and look up only the
 * buckets of present values, matching the suffix exactly. Chunks without one (where the bitmap
 * would cost more memory than it saves time) look up every key within the radius once and keep
 * the entries whose suffix is within what the key's distance leaves.
 *
 * The work runs in phases over all chunks at once — probe values, bucket offsets, bucket entries,
 * full distances — so that the memory reads of one phase do not depend on each other. Measured at
 * 10 M (bench:match): the time is cache misses, and a loop whose body is long (eight popcounts)
 * keeps few of them in flight, so the entry and distance phases are each preceded by a loop that
 * only touches the line each iteration will read (a software prefetch): ~3,000 candidates a query
 * cost ~1.2 ms read in the popcount loop and ~0.15 ms touched first.
 *
 * A slot within the radius on several chunks is a candidate of each; it is reported from the first
 * of them only (a match found through chunk c is skipped when an earlier chunk c' has it within
 * r_c', since that chunk's probe found it), so duplicates cost no allocation even when a query
 * matches tens of thousands of near-identical entries.
 */
export function probeBase(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
  const chunks = v.chunks;
  const radii = chunkRadii(
    chunks.map((t) => t.bits),
    threshold,
  );
  const kernel = nativeKernel();
  if (kernel) {
    const found = probeNative(kernel, v, q, threshold, radii);
    if (found === 'scan') return scanBase(v, q, threshold, hit);
    if (found !== undefined) {
      for (let i = 0; i < found; i++) hit(nativeHits[2 * i], nativeHits[2 * i + 1]);
      return;
    }
  }
  const h = v.hashes;
  const m = chunks.length;
  // Phase 1: the buckets to read, with the suffix each must match and within how many bits; the
  // buckets of chunk c are chunkFrom[c] … chunkFrom[c + 1].
  if (chunkFrom.length < m + 1) chunkFrom = new Uint32Array(m + 1);
  let nb = 0;
  let probes = 0;
  for (let c = 0; c < m; c++) {
    chunkFrom[c] = nb;
    const radius = radii[c];
    if (radius < 0) continue;
    const t = chunks[c];
    const value = chunkValue(q, 0, t.start, t.bits);
    const sb = t.suffixBits;
    const present = t.present;
    const { masks, weights } = present ? probeSet(t.bits, radius) : probeSet(t.bits - sb, radius);
    probes += masks.length;
    if (nb + masks.length > probeKeys.length) {
      probeKeys = grown(probeKeys, nb + masks.length);
      probeSuffixes = grown(probeSuffixes, nb + masks.length);
      probeAllowed = grown(probeAllowed, nb + masks.length);
    }
    if (present) {
      const sm = (1 << sb) - 1;
      for (let k = 0; k < masks.length; k++) {
        const val = (value ^ masks[k]) >>> 0;
        if (present[val >>> 5] & (1 << (val & 31))) {
          probeKeys[nb] = val >>> sb;
          probeSuffixes[nb] = val & sm;
          probeAllowed[nb++] = 0;
        }
      }
    } else {
      const key = value >>> sb;
      const suffix = value & ((1 << sb) - 1);
      for (let k = 0; k < masks.length; k++) {
        probeKeys[nb] = (key ^ masks[k]) >>> 0;
        probeSuffixes[nb] = suffix;
        probeAllowed[nb++] = radius - weights[k];
      }
    }
  }
  chunkFrom[m] = nb;
  probeCounters.probes = probes;
  probeCounters.buckets = nb;
  probeCounters.scanned = 0;
  // Phase 2: their buckets' ranges (and a touch of each one's first entry: a software prefetch).
  if (nb > rangeStarts.length) {
    rangeStarts = grown(rangeStarts, nb);
    rangeEnds = grown(rangeEnds, nb);
  }
  let entries = 0;
  for (let c = 0; c < m; c++) {
    const t = chunks[c];
    const to = chunkFrom[c + 1];
    if (t.offsets) {
      const offsets = t.offsets;
      for (let i = chunkFrom[c]; i < to; i++) {
        const key = probeKeys[i];
        const begin = (rangeStarts[i] = offsets[key]);
        entries += (rangeEnds[i] = offsets[key + 1]) - begin;
      }
    } else {
      const base = t.blockBase!;
      const rel = t.rel!;
      const wide = t.wide;
      for (let i = chunkFrom[c]; i < to; i++) {
        const key = probeKeys[i];
        const b0 = base[key >>> OFFSET_BLOCK_BITS];
        const b1 = base[(key + 1) >>> OFFSET_BLOCK_BITS];
        const begin = (rangeStarts[i] = b0 < WIDE ? b0 + rel[key] : wide![b0 - WIDE + (key & BLOCK_MASK)]);
        entries += (rangeEnds[i] = b1 < WIDE ? b1 + rel[key + 1] : wide![b1 - WIDE + ((key + 1) & BLOCK_MASK)]) - begin;
      }
    }
  }
  probeCounters.entries = entries;
  if (entries > SCAN_ENTRIES * v.baseCount) return scanBase(v, q, threshold, hit);
  let touch = 0;
  for (let c = 0; c < m; c++) {
    const t = chunks[c];
    const to = chunkFrom[c + 1];
    const a = t.packed ?? t.slots;
    if (a) for (let i = chunkFrom[c]; i < to; i++) touch ^= a[rangeStarts[i]];
    else for (let i = chunkFrom[c]; i < to; i++) touch ^= h[rangeStarts[i] << 3];
  }
  // Phase 3: the entries whose suffix is close enough, chunk by chunk (one loop a representation).
  const maxCandidates = SCAN_CANDIDATES * v.baseCount;
  let nc = 0;
  for (let c = 0; c < m; c++) {
    const t = chunks[c];
    const from = nc;
    const to = chunkFrom[c + 1];
    // The filters stop before a bucket that would overflow `candidates` (resumeAt): grow and go on.
    for (let i = chunkFrom[c]; ; i = resumeAt) {
      if (t.packed) nc = filterPacked(t.packed, t.packShift ?? 8, i, to, nc);
      else if (t.slots) nc = filterSeparate(t.slots, t.suffixes!, i, to, nc);
      else nc = filterSlots(h, t, i, to, nc);
      if (nc > maxCandidates) return scanBase(v, q, threshold, hit);
      if (resumeAt === to) break;
      candidates = grown(candidates, nc + rangeEnds[resumeAt] - rangeStarts[resumeAt]);
    }
    if (nc > candidateChunks.length) candidateChunks = grown(candidateChunks, nc);
    candidateChunks.fill(c, from, nc);
  }
  probeCounters.candidates = nc;
  if (nc > maxCandidates) return scanBase(v, q, threshold, hit);
  // Phase 4: full distances on packed words (touched first); liveness and duplicates only for the
  // few that are close.
  for (let i = 0; i < nc; i++) touch ^= h[candidates[i] << 3];
  probeCounters.touched = touch;
  const q0 = q[0],
    q1 = q[1],
    q2 = q[2],
    q3 = q[3],
    q4 = q[4],
    q5 = q[5],
    q6 = q[6],
    q7 = q[7];
  const alive = v.alive;
  for (let i = 0; i < nc; i++) {
    const slot = candidates[i];
    const p = slot << 3;
    // Half the words first: a candidate is close on one chunk only, so the other half of the
    // hash is as far as a random one (~64 bits) and most stop here.
    let d = popcount32(h[p] ^ q0) + popcount32(h[p + 1] ^ q1) + popcount32(h[p + 2] ^ q2) + popcount32(h[p + 3] ^ q3);
    if (d > threshold) continue;
    d += popcount32(h[p + 4] ^ q4) + popcount32(h[p + 5] ^ q5) + popcount32(h[p + 6] ^ q6) + popcount32(h[p + 7] ^ q7);
    if (d > threshold || ((alive[slot >>> 5] >>> (slot & 31)) & 1) === 0) continue;
    if (foundEarlier(h, p, q, 0, chunks, radii, candidateChunks[i])) continue;
    hit(slot, d);
  }
}

let nativeHits = new Uint32Array(1024);
const nativeStats = new Float64Array(4);

/**
 * probeBase in the C kernel (native/hamming.c, probe_one: the same phases, ~2× as fast): the
 * number of hits (in nativeHits, as (slot, distance) pairs), 'scan' when the base is to be scanned
 * instead, or undefined when the kernel refuses a damaged table (the JavaScript phases then run).
 */
function probeNative(kernel: NativeKernel, v: HammingView, q: Uint32Array, threshold: number, radii: Int8Array): number | 'scan' | undefined {
  const chunks = kernelChunks(v.chunks, radii);
  const limits = [SCAN_ENTRIES * v.baseCount, SCAN_CANDIDATES * v.baseCount] as const;
  try {
    let found = kernel.probeOne(v.hashes, v.alive, q, threshold, limits[0], limits[1], chunks, nativeHits, nativeStats);
    if (found * 2 > nativeHits.length) {
      nativeHits = new Uint32Array(found * 2);
      found = kernel.probeOne(v.hashes, v.alive, q, threshold, limits[0], limits[1], chunks, nativeHits, nativeStats);
    }
    probeCounters.probes = nativeStats[0];
    probeCounters.buckets = nativeStats[1];
    probeCounters.entries = nativeStats[2];
    probeCounters.candidates = nativeStats[3];
    probeCounters.scanned = 0;
    return found < 0 ? 'scan' : found;
  } catch {
    probeCounters.kernelFailures++;
    return undefined;
  }
}

const BLOCK_MASK = (1 << OFFSET_BLOCK_BITS) - 1;
let chunkFrom = new Uint32Array(32);
/** Where the last filter stopped: the bucket that did not fit in `candidates`, or the end. */
let resumeAt = 0;

/** Phase 3 over packed entries (slot << shift | suffix): appends the slots that pass to `candidates` from `nc`. */
function filterPacked(packed: Uint32Array, shift: number, from: number, to: number, nc: number): number {
  const mask = (1 << shift) - 1;
  const out = candidates;
  for (let i = from; i < to; i++) {
    const suffix = probeSuffixes[i];
    const allowed = probeAllowed[i];
    const end = rangeEnds[i];
    if (nc + end - rangeStarts[i] > out.length) return ((resumeAt = i), nc);
    if (allowed === 0) {
      for (let j = rangeStarts[i]; j < end; j++) {
        const e = packed[j];
        if ((e & mask) === suffix) out[nc++] = e >>> shift;
      }
    } else {
      for (let j = rangeStarts[i]; j < end; j++) {
        const e = packed[j];
        if (POP8[(e ^ suffix) & mask] <= allowed) out[nc++] = e >>> shift;
      }
    }
  }
  resumeAt = to;
  return nc;
}

/** Phase 3 over slots with their suffixes beside them (up to 16 bits). */
function filterSeparate(slots: Uint32Array, suffixes: Uint8Array | Uint16Array, from: number, to: number, nc: number): number {
  const out = candidates;
  for (let i = from; i < to; i++) {
    const suffix = probeSuffixes[i];
    const allowed = probeAllowed[i];
    const end = rangeEnds[i];
    if (nc + end - rangeStarts[i] > out.length) return ((resumeAt = i), nc);
    for (let j = rangeStarts[i]; j < end; j++) {
      const x = suffixes[j] ^ suffix;
      if (POP8[x & 0xff] + POP8[x >>> 8] <= allowed) out[nc++] = slots[j];
    }
  }
  resumeAt = to;
  return nc;
}

/** Phase 3 over a chunk that orders the base: its entries are the slots, their suffix read from the hash. */
function filterSlots(h: Uint32Array, t: ChunkTable, from: number, to: number, nc: number): number {
  const out = candidates;
  const sm = (1 << t.suffixBits) - 1;
  const w = t.start >>> 5;
  const o = t.start & 31;
  if (o + t.bits <= 32) {
    // The chunk lies in one word: its suffix is that word's bits below the chunk's end.
    const shift = 32 - o - t.bits;
    for (let i = from; i < to; i++) {
      const suffix = probeSuffixes[i];
      const allowed = probeAllowed[i];
      const end = rangeEnds[i];
      if (nc + end - rangeStarts[i] > out.length) return ((resumeAt = i), nc);
      for (let j = rangeStarts[i]; j < end; j++) {
        if (popcount32(((h[(j << 3) + w] >>> shift) & sm) ^ suffix) <= allowed) out[nc++] = j;
      }
    }
    resumeAt = to;
    return nc;
  }
  const start = t.start;
  const bits = t.bits;
  for (let i = from; i < to; i++) {
    const suffix = probeSuffixes[i];
    const allowed = probeAllowed[i];
    const end = rangeEnds[i];
    if (nc + end - rangeStarts[i] > out.length) return ((resumeAt = i), nc);
    for (let j = rangeStarts[i]; j < end; j++) {
      if (popcount32((chunkValue(h, j << 3, start, bits) & sm) ^ suffix) <= allowed) out[nc++] = j;
    }
  }
  resumeAt = to;
  return nc;
}

/** Whether a chunk before `c` has the hash at `p` within its radius of the query's at `q[qAt…]` (so that chunk reported it). */
export function foundEarlier(h: Uint32Array, p: number, q: Uint32Array, qAt: number, chunks: ChunkTable[], radii: Int8Array, c: number): boolean {
  for (let e = 0; e < c; e++) {
    if (radii[e] < 0) continue;
    const t = chunks[e];
    if (popcount32(chunkValue(h, p, t.start, t.bits) ^ chunkValue(q, qAt, t.start, t.bits)) <= radii[e]) return true;
  }
  return false;
}

function scanBase(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
  probeCounters.scanned = 1;
  scanSlots(v, q, threshold, 0, v.baseCount, hit);
}
