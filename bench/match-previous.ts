/**
 * The previous version of the PDQ index (as of commit c25f044, before issue 19's memory work: 11
 * chunks, buckets keyed by log2(n) − 3 bits, a posting entry per chunk including the first, one
 * alive byte a slot, bitmaps of present values from ~0.5 M hashes), frozen here so that bench:match
 * can print the ratio to it, in time and bytes, in the same run on the same data. Builds its own
 * tables over the caller's arrays; not used by src/.
 */
import { popcount32 } from '../src/signals/pdq/hash256.js';
import { chunkValue, evenLayout, probeSet } from '../src/index/chunks.js';
import { chunkRadii } from '../src/index/hamming-probe.js';

interface ChunkTable {
  start: number;
  bits: number;
  suffixBits: number;
  offsets: Uint32Array;
  packed?: Uint32Array;
  slots?: Uint32Array;
  suffixes?: Uint8Array | Uint16Array;
  present?: Uint32Array;
}
interface HammingView {
  hashes: Uint32Array;
  alive: Uint8Array;
  chunks: ChunkTable[];
}
type Hit = (slot: number, distance: number) => void;

/** The previous version's tables over `hashes`, with its bytes per hash (hashes, ids, alive bytes, tables). */
export function previousIndex(hashes: Uint32Array): { view: HammingView; bytes: number } {
  const n = hashes.length / 8;
  const keyBits = Math.min(20, Math.max(8, Math.round(Math.log2(Math.max(n, 2))) - 3));
  const layout = evenLayout(11, keyBits);
  const bitmaps = 2 ** Math.max(...layout.bits) <= 32 * n;
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
    const present = bitmaps ? new Uint32Array(Math.max(1, 2 ** bits / 32)) : undefined;
    const suffixMask = (1 << suffixBits) - 1;
    const table: ChunkTable = { start, bits, suffixBits, offsets, present };
    if (n <= 1 << 24 && suffixBits <= 8) {
      const packed = (table.packed = new Uint32Array(n));
      for (let s = 0; s < n; s++) {
        const v = values[s];
        packed[cursor[v >>> suffixBits]++] = ((s << 8) | (v & suffixMask)) >>> 0;
        if (present) present[v >>> 5] |= 1 << (v & 31);
      }
    } else {
      const slots = (table.slots = new Uint32Array(n));
      const suffixes = (table.suffixes = suffixBits <= 8 ? new Uint8Array(n) : new Uint16Array(n));
      for (let s = 0; s < n; s++) {
        const v = values[s];
        const i = cursor[v >>> suffixBits]++;
        slots[i] = s;
        suffixes[i] = v & suffixMask;
        if (present) present[v >>> 5] |= 1 << (v & 31);
      }
    }
    bytes +=
      offsets.byteLength + (table.packed?.byteLength ?? 0) + (table.slots?.byteLength ?? 0) + (table.suffixes?.byteLength ?? 0) + (present?.byteLength ?? 0);
    chunks.push(table);
  }
  return { view: { hashes, alive: new Uint8Array(n).fill(1), chunks }, bytes };
}

/** Popcount of each byte value (suffix filters compare at most 16 bits). */
const POP8 = Uint8Array.from({ length: 256 }, (_, x) => {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
});

/** Scratch space of the phased probe, grown on demand (one per thread: modules are per thread). */
let probeChunks = new Uint8Array(4096);
let probeKeys = new Uint32Array(4096);
let probeSuffixes = new Uint32Array(4096);
let probeAllowed = new Uint8Array(4096);
let rangeStarts = new Uint32Array(4096);
let rangeEnds = new Uint32Array(4096);
let candidates = new Uint32Array(4096);

// (Fixed here as in src/: growing used to drop what the array held.)
function grown<T extends Uint8Array | Uint32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

const probeCounters = { probes: 0, buckets: 0, entries: 0, candidates: 0, /** the touch loads' XOR, kept so they are not optimized away */ touched: 0 };

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
export function previousProbe(v: HammingView, q: Uint32Array, threshold: number, hit: Hit): void {
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
