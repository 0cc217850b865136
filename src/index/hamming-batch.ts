/**
 * Many queries against one base at once (batch lookups, backfills): the same exact answers as
 * probeBase for each, read in the order of the chunk tables instead of the order of the queries.
 *
 * probeBase's time at 1 M is its bucket reads: ~1,500 a query, each a cache miss in tables of tens
 * of megabytes. A batch collects, chunk by chunk, every (key, query) pair its queries probe,
 * counting-sorts the pairs by key, and walks them: the buckets are then read in ascending order,
 * a stream through the table instead of random reads (at 1 M a batch of 1,000 has ~1.2 pairs a
 * key, so nearly every line of a table is read, once). Candidates are verified as probeBase verifies them (half the words first, liveness, the
 * first chunk that finds a slot reports it), and a query whose buckets hold too many entries or
 * pass too many candidates (a clustered bank) is scanned instead, as probeBase scans.
 *
 * Bases with bitmaps of the values present (~7 M hashes and up) are probed query by query (see
 * batchable).
 *
 * Where the C kernel is built (native/hamming.c, index/native.ts) it does probePart's pairs,
 * walk and verification over the same arrays, ~2–3× as fast; the JavaScript here is the same
 * algorithm, used without it (and held to the same hits in the same order by the tests).
 */
import { popcount32 } from '../signals/pdq/hash256.js';
import { chunkValue, probeSet } from './chunks.js';
import {
  chunkRadii,
  foundEarlier,
  grown,
  OFFSET_BLOCK_BITS,
  POP8,
  SCAN_CANDIDATES,
  SCAN_ENTRIES,
  scanSlots,
  WIDE,
  type ChunkTable,
  type HammingView,
} from './hamming-probe.js';
import { kernelChunks, nativeKernel } from './native.js';

/** A match of query `query` (its position in the batch). */
export type BatchHit = (query: number, slot: number, distance: number) => void;

/** Below this many queries a batch is probed query by query (the sort's fixed cost would not pay). */
export const BATCH_MIN = 32;

/**
 * A pair is one word: key << (query bits + ALLOWED_BITS) | query << ALLOWED_BITS | the bits its
 * suffix may differ by. Radii up to 7 fit; a batch of more queries than the bits left can number
 * is probed in parts.
 */
const ALLOWED_BITS = 3;
const ALLOWED_MASK = (1 << ALLOWED_BITS) - 1;
const BLOCK_MASK = (1 << OFFSET_BLOCK_BITS) - 1;
/** Bits of a candidate's tag that name its chunk. */
const CHUNK_BITS = 5;
/** Buckets above this many entries count towards a query's entries (SCAN_ENTRIES). */
const LARGE_BUCKET = 64;
/** Candidates verified a block at a time (their hashes' lines, 64 bytes each, fit the first-level cache). */
const VERIFY_BLOCK = 256;

/** Scratch space, grown on demand (one set per thread: modules are per thread). */
let sorted = new Uint32Array(1 << 16);
let counts = new Uint32Array(1 << 12);
let keyOf = new Uint32Array(64);
let suffixOf = new Uint32Array(64);
let entriesOf = new Float64Array(64);
let candidatesOf = new Uint32Array(64);
let scanned = new Uint8Array(64);
/** Every chunk's candidates: the slot, and query << CHUNK_BITS | the chunk that found it. */
let candTag = new Uint32Array(1 << 14);
let candSlot = new Uint32Array(1 << 14);
let hitQuery = new Uint32Array(1 << 12);
let hitSlot = new Uint32Array(1 << 12);
let hitDistance = new Uint16Array(1 << 12);
let hits = 0;

/**
 * Batches (parts) probed on this thread and their queries that were scanned instead (tests read
 * them), the touch loads' XOR (kept so that they are not optimized away), and the parts the C
 * kernel refused (a damaged chunk table).
 */
export const batchCounters = { batches: 0, scanned: 0, touched: 0, kernelFailures: 0 };

/** Whether probeBatch answers `n` queries at `threshold` on this base (else probe them one by one). */
export function batchable(v: HammingView, n: number, threshold: number): boolean {
  if (n < BATCH_MIN || v.baseCount === 0) return false;
  const radii = chunkRadii(
    v.chunks.map((t) => t.bits),
    threshold,
  );
  // Bases with bitmaps (~7 M hashes and up) read few buckets a query already, too sparse a set for
  // a sorted walk to pay: measured at 10 M, 0.65 ms a query in a batch of 1,000 against 0.40 alone.
  return v.chunks.length <= 1 << CHUNK_BITS && v.chunks.every((t, c) => !t.present && radii[c] <= ALLOWED_MASK && t.bits - t.suffixBits <= 24);
}

/**
 * Every live slot of the base within `threshold` of each of the `n` queries packed in `qs` (8
 * words each), once a query: hit(query, slot, distance). Callers check `batchable` first.
 * `most` caps the queries probed together (tests).
 */
export function probeBatch(v: HammingView, qs: Uint32Array, n: number, threshold: number, hit: BatchHit, most?: number): void {
  const widest = Math.max(...v.chunks.map((t) => t.bits - t.suffixBits));
  const part = Math.min(most ?? Infinity, 2 ** (32 - ALLOWED_BITS - widest));
  for (let from = 0; from < n; from += part) {
    const size = Math.min(part, n - from);
    probePart(v, qs.subarray(from * 8, (from + size) * 8), size, threshold, 32 - widest, (q, slot, d) => hit(from + q, slot, d));
  }
}

function probePart(v: HammingView, qs: Uint32Array, n: number, threshold: number, low: number, hit: BatchHit): void {
  const chunks = v.chunks;
  const radii = chunkRadii(
    chunks.map((t) => t.bits),
    threshold,
  );
  if (scanned.length < n) {
    keyOf = new Uint32Array(n);
    suffixOf = new Uint32Array(n);
    entriesOf = new Float64Array(n);
    candidatesOf = new Uint32Array(n);
    scanned = new Uint8Array(n);
  }
  entriesOf.fill(0, 0, n);
  candidatesOf.fill(0, 0, n);
  scanned.fill(0, 0, n);
  // Hits wait until the end: a query that turns out to need a scan is answered by the scan alone.
  const limits: Limits = { entries: SCAN_ENTRIES * v.baseCount, candidates: SCAN_CANDIDATES * v.baseCount };
  const found = probeNative(v, qs, n, threshold, low, limits, radii);
  if (found) {
    for (let i = 0; i < found.length; i += 3) if (scanned[found[i]] === 0) hit(found[i], found[i + 1], found[i + 2]);
  } else {
    hits = 0;
    let nc = 0;
    for (let c = 0; c < chunks.length; c++) {
      if (radii[c] < 0) continue;
      const t = chunks[c];
      const sm = (1 << t.suffixBits) - 1;
      for (let i = 0; i < n; i++) {
        const value = chunkValue(qs, i * 8, t.start, t.bits);
        keyOf[i] = value >>> t.suffixBits;
        suffixOf[i] = value & sm;
      }
      const pairs = sortPairs(t, radii[c], n, low);
      nc = walkChunk(v, t, c, pairs, low, limits, nc);
    }
    verify(v, qs, threshold, chunks, radii, nc);
    for (let i = 0; i < hits; i++) if (scanned[hitQuery[i]] === 0) hit(hitQuery[i], hitSlot[i], hitDistance[i]);
  }
  batchCounters.batches++;
  for (let i = 0; i < n; i++) {
    if (scanned[i] === 0) continue;
    batchCounters.scanned++;
    scanSlots(v, qs.subarray(i * 8, i * 8 + 8), threshold, 0, v.baseCount, (slot, d) => hit(i, slot, d));
  }
}

/**
 * The part's hits from the C kernel (native/hamming.c: the same walk, ~2× as fast at 1 M),
 * as (query, slot, distance) triples; undefined when it is not built or turned off, or when it
 * finds a chunk table damaged (it checks every index it reads at; the JavaScript walk then runs).
 */
function probeNative(v: HammingView, qs: Uint32Array, n: number, threshold: number, low: number, limits: Limits, radii: Int8Array): Uint32Array | undefined {
  const kernel = nativeKernel();
  if (!kernel) return undefined;
  try {
    return kernel.probePart(v.hashes, v.alive, qs, n, threshold, low, limits.entries, limits.candidates, scanned, kernelChunks(v.chunks, radii));
  } catch {
    batchCounters.kernelFailures++;
    return undefined;
  }
}

/** One chunk's (key, query) pairs, counting-sorted by key into `sorted`; returns how many. */
function sortPairs(t: ChunkTable, radius: number, n: number, low: number): number {
  const kb = t.bits - t.suffixBits;
  const { masks, weights } = probeSet(kb, radius);
  const p = masks.length;
  const keys = 2 ** kb;
  if (counts.length < keys + 1) counts = new Uint32Array(keys + 1);
  counts.fill(0, 0, keys + 1);
  if (sorted.length < n * p) sorted = new Uint32Array(n * p);
  for (let i = 0; i < n; i++) {
    const key = keyOf[i];
    for (let j = 0; j < p; j++) counts[((key ^ masks[j]) >>> 0) + 1]++;
  }
  for (let key = 0; key < keys; key++) counts[key + 1] += counts[key];
  for (let i = 0; i < n; i++) {
    const key = keyOf[i];
    const tag = i << ALLOWED_BITS;
    for (let j = 0; j < p; j++) {
      const probe = (key ^ masks[j]) >>> 0;
      sorted[counts[probe]++] = (probe << low) | tag | (radius - weights[j]);
    }
  }
  return n * p;
}

/**
 * Appends the candidates of chunk c's sorted pairs to candSlot / candTag from `nc` (returns the
 * new count): for each pair, its key's bucket entries whose suffix is within the pair's allowed
 * bits of its query's. A query over `limits` is marked to be scanned and its further pairs skipped.
 * Packed entries and slots have a loop each, beside each other: one loop choosing the form a pair
 * measured 5–10% slower a batch (bucketStart and admits are what they share).
 */
function walkChunk(v: HammingView, t: ChunkTable, c: number, pairs: number, low: number, limits: Limits, from: number): number {
  return t.packed ? walkPacked(t, c, pairs, low, limits, from) : walkSlots(v, t, c, pairs, low, limits, from);
}

interface Limits {
  entries: number;
  candidates: number;
}

/** Where the entries of `key` begin in a chunk table (two-level offsets: an int32 whose sign bit is WIDE). */
function bucketStart(
  offsets: Uint32Array | undefined,
  blockBase: Uint32Array | undefined,
  rel: Uint16Array | undefined,
  wide: Uint32Array | undefined,
  key: number,
): number {
  if (offsets) return offsets[key];
  const b = blockBase![key >>> OFFSET_BLOCK_BITS] | 0;
  return b >= 0 ? b + rel![key] : wide![(b & ~WIDE) + (key & BLOCK_MASK)];
}

/**
 * Whether query qi's pair reads its bucket of `size` entries: not when the query is to be
 * scanned, nor when the bucket takes its entries past `most` (it is then marked to be scanned).
 * Only large buckets count towards the limit: small ones cannot reach it (a query has a few
 * thousand pairs), and the count would cost as much as reading them.
 */
function admits(qi: number, size: number, most: number): boolean {
  if (scanned[qi] === 1) return false;
  if (size > LARGE_BUCKET && (entriesOf[qi] += size) > most) {
    scanned[qi] = 1;
    return false;
  }
  return true;
}

/**
 * walkChunk on packed entries (every chunk but the first of bases built since issue 19): one read
 * an entry, and the variables kept in 32-bit integers (a pair is read as a signed word; its fields
 * are shifted out unsigned) so that the loop does not fall back to doubles (measured: 36 → 29 ns a
 * pair at 1 M).
 */
function walkPacked(t: ChunkTable, c: number, pairs: number, low: number, limits: Limits, from: number): number {
  const { offsets, blockBase, rel, wide } = t;
  const packed = t.packed!;
  const shift = t.packShift ?? 8;
  const pm = (1 << shift) - 1;
  const queryMask = (1 << (low - ALLOWED_BITS)) - 1;
  const ps = sorted;
  const skip = scanned;
  const suffixOfQuery = suffixOf;
  const counted = candidatesOf;
  const maxEntries = limits.entries;
  const maxCandidates = limits.candidates;
  let out = candSlot;
  let tags = candTag;
  let nc = from;
  for (let j = 0; j < pairs; j++) {
    const pair = ps[j] | 0;
    const key = pair >>> low;
    const begin = bucketStart(offsets, blockBase, rel, wide, key);
    const end = bucketStart(offsets, blockBase, rel, wide, key + 1);
    const qi = (pair >>> ALLOWED_BITS) & queryMask;
    if (end === begin || !admits(qi, end - begin, maxEntries)) continue;
    const size = end - begin;
    if (nc + size > out.length) {
      candSlot = out = grown(out, nc + size);
      candTag = tags = grown(tags, out.length);
    }
    const allowed = pair & ALLOWED_MASK;
    const suffix = suffixOfQuery[qi];
    const tag = (qi << CHUNK_BITS) | c;
    const nc0 = nc;
    // Most pairs are keys at the full radius, whose suffix must be equal: one comparison an entry.
    if (allowed === 0) {
      for (let e = begin; e < end; e++) {
        const x = packed[e];
        if (((x ^ suffix) & pm) === 0) {
          out[nc] = x >>> shift;
          tags[nc++] = tag;
        }
      }
    } else {
      for (let e = begin; e < end; e++) {
        const x = packed[e];
        if (POP8[(x ^ suffix) & pm] <= allowed) {
          out[nc] = x >>> shift;
          tags[nc++] = tag;
        }
      }
    }
    if (nc !== nc0 && (counted[qi] += nc - nc0) > maxCandidates) skip[qi] = 1;
  }
  return nc;
}

/** walkChunk on entries that are slots (with their suffixes beside them, or read from the hashes). */
function walkSlots(v: HammingView, t: ChunkTable, c: number, pairs: number, low: number, limits: Limits, from: number): number {
  const h = v.hashes;
  const sm = (1 << t.suffixBits) - 1;
  const queryMask = (1 << (low - ALLOWED_BITS)) - 1;
  const { offsets, blockBase, rel, wide, slots, suffixes } = t;
  const w = t.start >>> 5;
  const inWord = (t.start & 31) + t.bits <= 32;
  const wordShift = 32 - (t.start & 31) - t.bits;
  const ps = sorted;
  const skip = scanned;
  let out = candSlot;
  let nc = from;
  for (let j = 0; j < pairs; j++) {
    const pair = ps[j] | 0;
    const key = pair >>> low;
    const begin = bucketStart(offsets, blockBase, rel, wide, key);
    const end = bucketStart(offsets, blockBase, rel, wide, key + 1);
    const qi = (pair >>> ALLOWED_BITS) & queryMask;
    if (end === begin || !admits(qi, end - begin, limits.entries)) continue;
    const size = end - begin;
    const allowed = pair & ALLOWED_MASK;
    const suffix = suffixOf[qi];
    if (nc + size > out.length) {
      candSlot = out = grown(out, nc + size);
      candTag = grown(candTag, out.length);
    }
    const nc0 = nc;
    if (slots) {
      for (let e = begin; e < end; e++) {
        const x = suffixes![e] ^ suffix;
        if (POP8[x & 0xff] + POP8[x >>> 8] <= allowed) out[nc++] = slots[e];
      }
    } else if (inWord) {
      for (let e = begin; e < end; e++) if (popcount32(((h[(e << 3) + w] >>> wordShift) & sm) ^ suffix) <= allowed) out[nc++] = e;
    } else {
      for (let e = begin; e < end; e++) if (popcount32((chunkValue(h, e << 3, t.start, t.bits) & sm) ^ suffix) <= allowed) out[nc++] = e;
    }
    if (nc === nc0) continue;
    const tags = candTag;
    const tag = (qi << CHUNK_BITS) | c;
    for (let i = nc0; i < nc; i++) tags[i] = tag;
    if ((candidatesOf[qi] += nc - nc0) > limits.candidates) skip[qi] = 1;
  }
  return nc;
}

/** Full distances of every chunk's candidates; keeps (hitQuery …) those no earlier chunk found. */
function verify(v: HammingView, qs: Uint32Array, threshold: number, chunks: ChunkTable[], radii: Int8Array, nc: number): void {
  const h = v.hashes;
  const alive = v.alive;
  const slots = candSlot;
  const tags = candTag;
  // Each block's candidates' hashes are touched first (a software prefetch: their cache misses
  // overlap), then their distances computed while the lines are still in the first-level cache.
  let touch = 0;
  const chunkMask = (1 << CHUNK_BITS) - 1;
  for (let block = 0; block < nc; block += VERIFY_BLOCK) {
    const blockEnd = Math.min(nc, block + VERIFY_BLOCK);
    for (let i = block; i < blockEnd; i++) touch ^= h[slots[i] << 3];
    for (let i = block; i < blockEnd; i++) {
      const tag = tags[i];
      const qi = tag >>> CHUNK_BITS;
      if (scanned[qi] === 1) continue;
      const slot = slots[i];
      const p = slot << 3;
      const o = qi << 3;
      let d = popcount32(h[p] ^ qs[o]) + popcount32(h[p + 1] ^ qs[o + 1]) + popcount32(h[p + 2] ^ qs[o + 2]) + popcount32(h[p + 3] ^ qs[o + 3]);
      if (d > threshold) continue;
      d += popcount32(h[p + 4] ^ qs[o + 4]) + popcount32(h[p + 5] ^ qs[o + 5]) + popcount32(h[p + 6] ^ qs[o + 6]) + popcount32(h[p + 7] ^ qs[o + 7]);
      if (d > threshold || ((alive[slot >>> 5] >>> (slot & 31)) & 1) === 0) continue;
      if (foundEarlier(h, p, qs, o, chunks, radii, tag & chunkMask)) continue;
      if (hits === hitSlot.length) {
        hitQuery = grown(hitQuery, hits + 1);
        hitSlot = grown(hitSlot, hits + 1);
        hitDistance = grown(hitDistance, hits + 1);
      }
      hitQuery[hits] = qi;
      hitSlot[hits] = slot;
      hitDistance[hits++] = d;
    }
  }
  batchCounters.touched ^= touch;
}
