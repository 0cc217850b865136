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
  /** One bit per chunk value: set when some entry has exactly that value (cache-resident filter). */
  present: Uint32Array;
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

/** Scratch space of the phased probe, grown on demand (one per thread: modules are per thread). */
let probeValues = new Uint32Array(4096);
let probeChunks = new Uint8Array(4096);
let rangeStarts = new Uint32Array(4096);
let rangeEnds = new Uint32Array(4096);
let candidates = new Uint32Array(4096);

function grown<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  return new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
}

/**
 * Every live slot of the base within `threshold`, once each, by probing every chunk value within
 * floor(threshold / chunks) bits of the query's (the pigeonhole principle makes this exact).
 *
 * The work runs in phases over all chunks at once — bitmap tests, then bucket offsets, then bucket
 * entries, then full distances — so that the memory reads of one phase do not depend on each other
 * and the processor overlaps their cache misses, instead of waiting for three dependent misses per
 * candidate in turn.
 */
export function probeBase(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
  const chunks = v.chunks;
  const radius = Math.floor(threshold / chunks.length);
  // Phase 1: probe values held by some entry (bit tests in the cache-resident bitmaps).
  let nv = 0;
  for (let c = 0; c < chunks.length; c++) {
    const t = chunks[c];
    const value = chunkValue(q, 0, t.start, t.bits);
    const { masks } = probeSet(t.bits, radius);
    probeValues = grown(probeValues, nv + masks.length);
    probeChunks = grown(probeChunks, nv + masks.length);
    const present = t.present;
    for (let k = 0; k < masks.length; k++) {
      const val = (value ^ masks[k]) >>> 0;
      if (present[val >>> 5] & (1 << (val & 31))) {
        probeValues[nv] = val;
        probeChunks[nv++] = c;
      }
    }
  }
  // Phase 2: their buckets.
  rangeStarts = grown(rangeStarts, nv);
  rangeEnds = grown(rangeEnds, nv);
  for (let i = 0; i < nv; i++) {
    const t = chunks[probeChunks[i]];
    const key = probeValues[i] >>> t.suffixBits;
    rangeStarts[i] = t.offsets[key];
    rangeEnds[i] = t.offsets[key + 1];
  }
  // Phase 3: the entries with exactly the probed value.
  let nc = 0;
  for (let i = 0; i < nv; i++) {
    const t = chunks[probeChunks[i]];
    const suffix = probeValues[i] & ((1 << t.suffixBits) - 1);
    const end = rangeEnds[i];
    candidates = grown(candidates, nc + (end - rangeStarts[i]));
    if (t.packed) {
      const packed = t.packed;
      for (let j = rangeStarts[i]; j < end; j++) {
        const e = packed[j];
        if ((e & 0xff) === suffix) candidates[nc++] = e >>> 8;
      }
    } else {
      const slots = t.slots!;
      const suffixes = t.suffixes!;
      for (let j = rangeStarts[i]; j < end; j++) if (suffixes[j] === suffix) candidates[nc++] = slots[j];
    }
  }
  // Phase 4: full distances; liveness only for the few that are close. A slot close on several
  // chunks is a candidate several times; matches are few, so dedupe those.
  const distance = distanceTo(v.hashes, q);
  const alive = v.alive;
  let found: Set<number> | undefined;
  let first = -1;
  for (let i = 0; i < nc; i++) {
    const slot = candidates[i];
    const d = distance(slot);
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
}
