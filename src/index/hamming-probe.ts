/**
 * The read side of HammingIndex, as plain functions over typed arrays, so that the same code
 * probes the index on the main thread and, over shared memory, on query threads.
 */
import { popcount32 } from '../signals/pdq/hash256.js';
import { chunkValue, probeSet } from './chunks.js';

export interface ChunkTable {
  start: number;
  bits: number;
  suffixBits: number;
  /** offsets[key] … offsets[key + 1]: the entries whose chunk starts with `key`. */
  offsets: Uint32Array;
  /**
   * The entries, in one of two forms: `packed` (slot << 8 | suffix, one memory access an entry;
   * used while slots fit 24 bits and suffixes 8) or `slots` with `suffixes` beside them.
   */
  packed?: Uint32Array;
  slots?: Uint32Array;
  suffixes?: Uint8Array | Uint16Array;
  /**
   * One bit per chunk value, set when some entry has exactly that value: filters probe values
   * before their bucket is read. Built only where it costs little memory (see layoutFor).
   */
  present?: Uint32Array;
}

/** What a prober reads: the slots and the chunk tables built over slots below `baseCount`. */
export interface HammingView {
  hashes: Uint32Array;
  ids: Uint32Array;
  alive: Uint8Array;
  chunks: ChunkTable[];
  baseCount: number;
}

export type Hit = (slot: number, distance: number) => void;

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
    if (!alive[slot]) continue;
    const d = distance(slot);
    if (d <= threshold) hit(slot, d);
  }
}

/** Popcount of each byte value (suffix filters compare at most 16 bits). */
const POP8 = Uint8Array.from({ length: 256 }, (_, x) => {
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
let probeChunks = new Uint8Array(4096);
let probeKeys = new Uint32Array(4096);
let probeSuffixes = new Uint32Array(4096);
let probeAllowed = new Uint8Array(4096);
let rangeStarts = new Uint32Array(4096);
let rangeEnds = new Uint32Array(4096);
let candidates = new Uint32Array(4096);

function grown<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  return new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
}

/** Counters of the last probeBase on this thread (bench:match prints them). */
export const probeCounters = { probes: 0, buckets: 0, entries: 0, candidates: 0, /** the touch loads' XOR, kept so they are not optimized away */ touched: 0 };

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
 */
export function probeBase(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
  const chunks = v.chunks;
  const radii = chunkRadii(
    chunks.map((t) => t.bits),
    threshold,
  );
  // Phase 1: the buckets to read, with the suffix each must match and within how many bits.
  let nb = 0;
  let probes = 0;
  for (let c = 0; c < chunks.length; c++) {
    const radius = radii[c];
    if (radius < 0) continue;
    const t = chunks[c];
    const value = chunkValue(q, 0, t.start, t.bits);
    const sb = t.suffixBits;
    const present = t.present;
    if (present) {
      const { masks } = probeSet(t.bits, radius);
      probes += masks.length;
      probeChunks = grown(probeChunks, nb + masks.length);
      probeKeys = grown(probeKeys, nb + masks.length);
      probeSuffixes = grown(probeSuffixes, nb + masks.length);
      probeAllowed = grown(probeAllowed, nb + masks.length);
      const sm = (1 << sb) - 1;
      for (let k = 0; k < masks.length; k++) {
        const val = (value ^ masks[k]) >>> 0;
        if (present[val >>> 5] & (1 << (val & 31))) {
          probeChunks[nb] = c;
          probeKeys[nb] = val >>> sb;
          probeSuffixes[nb] = val & sm;
          probeAllowed[nb++] = 0;
        }
      }
    } else {
      const { masks, weights } = probeSet(t.bits - sb, radius);
      probes += masks.length;
      probeChunks = grown(probeChunks, nb + masks.length);
      probeKeys = grown(probeKeys, nb + masks.length);
      probeSuffixes = grown(probeSuffixes, nb + masks.length);
      probeAllowed = grown(probeAllowed, nb + masks.length);
      const key = value >>> sb;
      const suffix = value & ((1 << sb) - 1);
      for (let k = 0; k < masks.length; k++) {
        probeChunks[nb] = c;
        probeKeys[nb] = (key ^ masks[k]) >>> 0;
        probeSuffixes[nb] = suffix;
        probeAllowed[nb++] = radius - weights[k];
      }
    }
  }
  // Phase 2: their buckets.
  rangeStarts = grown(rangeStarts, nb);
  rangeEnds = grown(rangeEnds, nb);
  for (let i = 0; i < nb; i++) {
    const offsets = chunks[probeChunks[i]].offsets;
    const key = probeKeys[i];
    rangeStarts[i] = offsets[key];
    rangeEnds[i] = offsets[key + 1];
  }
  // Phase 3: the entries whose suffix is close enough (touching each bucket's first line first).
  let touch = 0;
  for (let i = 0; i < nb; i++) {
    const t = chunks[probeChunks[i]];
    if (rangeStarts[i] < rangeEnds[i]) touch ^= t.packed ? t.packed[rangeStarts[i]] : t.slots![rangeStarts[i]];
  }
  let nc = 0;
  let entries = 0;
  for (let i = 0; i < nb; i++) {
    const t = chunks[probeChunks[i]];
    const suffix = probeSuffixes[i];
    const allowed = probeAllowed[i];
    const begin = rangeStarts[i];
    const end = rangeEnds[i];
    entries += end - begin;
    candidates = grown(candidates, nc + (end - begin));
    if (t.packed) {
      const packed = t.packed;
      if (allowed === 0) {
        for (let j = begin; j < end; j++) {
          const e = packed[j];
          if ((e & 0xff) === suffix) candidates[nc++] = e >>> 8;
        }
      } else {
        for (let j = begin; j < end; j++) {
          const e = packed[j];
          if (POP8[(e ^ suffix) & 0xff] <= allowed) candidates[nc++] = e >>> 8;
        }
      }
    } else {
      const slots = t.slots!;
      const suffixes = t.suffixes!;
      for (let j = begin; j < end; j++) {
        const x = suffixes[j] ^ suffix;
        if (POP8[x & 0xff] + POP8[x >>> 8] <= allowed) candidates[nc++] = slots[j];
      }
    }
  }
  // Phase 4: full distances on packed words (touched first); liveness only for the few that are
  // close. A slot close on several chunks is a candidate several times; matches are few, so
  // dedupe those.
  const h = v.hashes;
  for (let i = 0; i < nc; i++) touch ^= h[candidates[i] << 3];
  const q0 = q[0],
    q1 = q[1],
    q2 = q[2],
    q3 = q[3],
    q4 = q[4],
    q5 = q[5],
    q6 = q[6],
    q7 = q[7];
  const alive = v.alive;
  let found: Set<number> | undefined;
  let first = -1;
  for (let i = 0; i < nc; i++) {
    const slot = candidates[i];
    const p = slot << 3;
    // Half the words first: a candidate is close on one chunk only, so the other half of the
    // hash is as far as a random one (~64 bits) and most stop here.
    let d = popcount32(h[p] ^ q0) + popcount32(h[p + 1] ^ q1) + popcount32(h[p + 2] ^ q2) + popcount32(h[p + 3] ^ q3);
    if (d > threshold) continue;
    d += popcount32(h[p + 4] ^ q4) + popcount32(h[p + 5] ^ q5) + popcount32(h[p + 6] ^ q6) + popcount32(h[p + 7] ^ q7);
    if (d > threshold || !alive[slot]) continue;
    if (first < 0) first = slot;
    else if (slot === first) continue;
    else {
      found ??= new Set([first]);
      if (found.has(slot)) continue;
      found.add(slot);
    }
    hit(slot, d);
  }
  probeCounters.probes = probes;
  probeCounters.buckets = nb;
  probeCounters.entries = entries;
  probeCounters.candidates = nc;
  probeCounters.touched = touch;
}
