/**
 * The previous version of the PDQ index's probe (as of commit 59e7de4: 11 chunks, 20-bit keys,
 * a bitmap per chunk, every chunk at radius floor(T / 11)), frozen here so that bench:match can
 * print the ratio to it in the same run on the same data. Builds its own tables; not used by src/.
 */
import { popcount32 } from '../src/signals/pdq/hash256.js';
import { chunkValue, evenLayout, probeSet } from '../src/index/chunks.js';

interface ChunkTable {
  start: number;
  bits: number;
  suffixBits: number;
  offsets: Uint32Array;
  packed: Uint32Array;
  present: Uint32Array;
}
interface HammingView {
  hashes: Uint32Array;
  alive: Uint8Array;
  chunks: ChunkTable[];
}
type Hit = (slot: number, distance: number) => void;

/** The previous version's tables over `hashes` (n < 2^24), with its bytes per hash. */
export function previousIndex(hashes: Uint32Array): { view: HammingView; bytes: number } {
  const n = hashes.length / 8;
  const layout = evenLayout(11, Math.min(20, Math.max(8, Math.round(Math.log2(Math.max(n, 2))))));
  const chunks: ChunkTable[] = [];
  const values = new Uint32Array(n);
  let bytes = n * 37;
  for (let c = 0; c < layout.bits.length; c++) {
    const start = layout.starts[c];
    const bits = layout.bits[c];
    const suffixBits = bits - layout.keyBits;
    const buckets = 1 << layout.keyBits;
    const offsets = new Uint32Array(buckets + 1);
    for (let s = 0; s < n; s++) {
      const v = chunkValue(hashes, s * 8, start, bits);
      values[s] = v;
      offsets[(v >>> suffixBits) + 1]++;
    }
    for (let k = 0; k < buckets; k++) offsets[k + 1] += offsets[k];
    const cursor = offsets.slice(0, buckets);
    const present = new Uint32Array(Math.max(1, 2 ** bits / 32));
    const packed = new Uint32Array(n);
    const suffixMask = (1 << suffixBits) - 1;
    for (let s = 0; s < n; s++) {
      const v = values[s];
      packed[cursor[v >>> suffixBits]++] = ((s << 8) | (v & suffixMask)) >>> 0;
      present[v >>> 5] |= 1 << (v & 31);
    }
    bytes += offsets.byteLength + packed.byteLength + present.byteLength;
    chunks.push({ start, bits, suffixBits, offsets, packed, present });
  }
  return { view: { hashes, alive: new Uint8Array(n).fill(1), chunks }, bytes };
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
export function previousProbe(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
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
    const packed = t.packed;
    for (let j = rangeStarts[i]; j < end; j++) {
      const e = packed[j];
      if ((e & 0xff) === suffix) candidates[nc++] = e >>> 8;
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
