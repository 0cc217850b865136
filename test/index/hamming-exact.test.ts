/**
 * Acceptance (issue 19): whatever the speed work changes — per-chunk radii, bucket keys per size,
 * bitmaps or per-key bucket scans, packed or separate entries — the index returns exactly the
 * brute-force matches at every threshold 0–63, on random data and on clustered data (near-variants
 * of a few bases, as video frames and re-encodes are), through adds, removals and rebuilds.
 */
import { describe, expect, it } from 'vitest';
import { evenLayout, layoutFor, type ChunkLayout } from '../../src/index/chunks.js';
import { BATCH_MIN, batchCounters, probeBatch } from '../../src/index/hamming-batch.js';
import { chunkRadii, probeCounters } from '../../src/index/hamming-probe.js';
import { bruteForce, HammingIndex, type HammingMatch } from '../../src/index/hamming-index.js';
import { clusteredSet } from '../../bench/gen-hashes.js';

const sorted = (ms: HammingMatch[]) => [...ms].sort((a, b) => a.id - b.id || a.distance - b.distance);
const at = (packed: Uint32Array, i: number) => packed.subarray(i * 8, i * 8 + 8);

/** A small deterministic generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>>= 0);
  };
}

function flip(words: Uint32Array, i: number, bits: number, r: () => number): void {
  for (let k = 0; k < bits; k++) {
    const b = r() & 255;
    words[i * 8 + (b >>> 5)] ^= 1 << (b & 31);
  }
}

function random(n: number, seed: number): Uint32Array {
  const r = rng(seed);
  return Uint32Array.from({ length: n * 8 }, () => r());
}

/** `n` random hashes; half the queries are variants (0–32 flipped bits) of some of them, half random. */
function randomSet(n: number, queries: number, seed: number): { hay: Uint32Array; queries: Uint32Array } {
  const hay = random(n, seed);
  const q = random(queries, seed + 1);
  const r = rng(seed + 2);
  for (let i = 0; i < queries; i += 2) {
    q.set(at(hay, r() % n), i * 8);
    flip(q, i, r() % 33, r);
  }
  return { hay, queries: q };
}

/** `n` hashes that are variants (0–12 flipped bits) of `bases` random bases, and queries likewise (0–40 bits). */
function clustered(n: number, bases: number, queries: number, seed: number): { hay: Uint32Array; queries: Uint32Array } {
  const r = rng(seed);
  const base = random(bases, seed + 1);
  const make = (count: number, maxFlips: number) => {
    const out = new Uint32Array(count * 8);
    for (let i = 0; i < count; i++) {
      out.set(at(base, r() % bases), i * 8);
      flip(out, i, r() % (maxFlips + 1), r);
    }
    return out;
  };
  return { hay: make(n, 12), queries: make(queries, 40) };
}

/** The live entries (id → hash) as brute force sees them. */
class Reference {
  readonly live = new Map<number, Uint32Array>();
  matches(q: Uint32Array, threshold: number): HammingMatch[] {
    const idList = [...this.live.keys()];
    const hay = new Uint32Array(idList.length * 8);
    idList.forEach((id, j) => hay.set(this.live.get(id)!, j * 8));
    return bruteForce(hay, q, threshold).map((m) => ({ id: idList[m.id], distance: m.distance }));
  }
}

/** The queries repeated until there are BATCH_MIN or more (a batch that takes the batch path), and which query each is. */
function batchOf(queries: Uint32Array): { qs: Uint32Array; n: number; of: (i: number) => number } {
  const nq = queries.length / 8;
  const times = Math.ceil(BATCH_MIN / nq) + 1;
  const qs = new Uint32Array(queries.length * times);
  for (let k = 0; k < times; k++) qs.set(queries, k * queries.length);
  return { qs, n: nq * times, of: (i) => i % nq };
}

/** Every query alone and all of them as one batch (HammingIndex.queryBatch) give exactly brute force's matches. */
function expectExact(index: HammingIndex, ref: Reference, queries: Uint32Array, thresholds: number[], label: string): number {
  let total = 0;
  const batch = batchOf(queries);
  for (const t of thresholds) {
    const wants: HammingMatch[][] = [];
    for (let q = 0; q < queries.length / 8; q++) {
      const want = sorted(ref.matches(at(queries, q), t));
      expect(sorted(index.query(at(queries, q), t)), `${label}: query ${q} at threshold ${t}`).toEqual(want);
      wants.push(want);
      total += want.length;
    }
    const answers = index.queryBatch(batch.qs, batch.n, t);
    expect(answers).toHaveLength(batch.n);
    answers.forEach((got, i) => expect(sorted(got), `${label}: batch item ${i} at threshold ${t}`).toEqual(wants[batch.of(i)]));
  }
  return total;
}

const ALL = Array.from({ length: 64 }, (_, t) => t);

/**
 * Layouts that reach every code path: the default at this size (no bitmaps, per-key buckets,
 * separate 16-bit suffixes), with bitmaps forced, packed 8-bit suffixes with and without bitmaps,
 * and narrow chunks (whose probes stay cheap when forced at threshold 63).
 */
const LAYOUTS: Array<[string, ChunkLayout | undefined]> = [
  ['default', undefined],
  ['default with bitmaps', { ...layoutFor(3000), bitmaps: true }],
  ['packed keys, bitmaps', { ...evenLayout(11, 16), bitmaps: true }],
  ['packed keys, no bitmaps', { ...evenLayout(11, 16), bitmaps: false }],
  ['16 chunks of 16 bits', { ...evenLayout(16, 10), bitmaps: false }],
];

describe('chunkRadii (generalized pigeonhole)', () => {
  it('leaves no match unprobed: Σ (radius + 1) exceeds the threshold, using the slack on the widest chunks', () => {
    const bits = layoutFor(10_000_000).bits;
    for (let t = 0; t <= 255; t++) {
      const radii = [...chunkRadii(bits, t)];
      expect(
        radii.reduce((s, r) => s + r + 1, 0),
        `threshold ${t}`,
      ).toBe(t + 1);
      expect(Math.max(...radii) - Math.min(...radii)).toBeLessThanOrEqual(1);
    }
    expect([...chunkRadii(bits, 31)].sort()).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    expect([...chunkRadii(bits, 31)][0]).toBe(1); // a 24-bit chunk, not a 23-bit one
    expect([...chunkRadii(bits, 0)].filter((r) => r >= 0)).toEqual([0]);
  });
});

describe.each([
  ['random', () => randomSet(3000, 12, 7)],
  ['clustered', () => clustered(3000, 40, 12, 11)],
  // bench:match's clustered bank: video frames walking a few bits at a time, re-encoded copies, a still shot.
  ['video frames', () => clusteredSet(3000, 12, 5)],
] as const)('HammingIndex on %s data', (_name, data) => {
  const { hay, queries } = data();
  const n = hay.length / 8;

  it.each(LAYOUTS)('returns exactly the brute-force matches at every threshold 0–63 (%s), probing or choosing', (label, layout) => {
    const ref = new Reference();
    for (let i = 0; i < n; i++) ref.live.set(i, at(hay, i));
    const ids = Uint32Array.from({ length: n }, (_, i) => i);
    for (const strategy of ['probe', 'auto'] as const) {
      // Forced probes at thresholds far past the chunking's sweet spot are slow on wide chunks: the
      // narrow layout covers them, the others up to 40 (auto falls back to scanning by itself).
      const thresholds = strategy === 'auto' || label === '16 chunks of 16 bits' ? ALL : ALL.filter((t) => t <= 40);
      const index = HammingIndex.fromEntries(hay, ids, { strategy, ...(layout ? { layout } : {}) });
      expect(index.stats().bitmaps).toBe(layout ? layout.bitmaps === true : layoutFor(n).bitmaps === true);
      const batches = batchCounters.batches;
      const total = expectExact(index, ref, queries, thresholds, `${label}/${strategy}`);
      expect(total).toBeGreaterThan(0);
      // Batches are probed together (hamming-batch.ts) unless the base keeps bitmaps (batchable).
      if (strategy === 'probe') expect(batchCounters.batches > batches, 'batches probed together').toBe(!index.stats().bitmaps);
    }
  });

  it('stays exact through adds, removals and rebuilds at every threshold 0–63', async () => {
    for (const [label, layout] of [LAYOUTS[0], LAYOUTS[3]]) {
      const ref = new Reference();
      const half = n / 2;
      const index = HammingIndex.fromEntries(
        hay.subarray(0, half * 8),
        Uint32Array.from({ length: half }, (_, i) => i),
        {
          strategy: 'probe',
          deltaLimit: 400,
          ...(layout ? { layout } : {}),
        },
      );
      for (let i = 0; i < half; i++) ref.live.set(i, at(hay, i));
      // Adds: some in the delta, some folded in by background rebuilds.
      for (let i = half; i < n; i++) {
        index.add(i, at(hay, i));
        ref.live.set(i, at(hay, i));
      }
      expectExact(
        index,
        ref,
        queries,
        ALL.filter((t) => t <= 40),
        `${label} after adds`,
      );
      await index.rebuildInBackground();
      expect(index.stats().deltaCount).toBe(0);
      // Removals of every third entry, in the base and what was the delta alike.
      for (let i = 0; i < n; i += 3) {
        expect(index.remove(i, at(hay, i))).toBe(true);
        ref.live.delete(i);
      }
      expect(index.size).toBe(ref.live.size);
      expectExact(
        index,
        ref,
        queries,
        ALL.filter((t) => t <= 40),
        `${label} after removals`,
      );
      // A rebuild drops the removed entries from the tables; re-added ids match again.
      index.rebuild();
      for (let i = 0; i < n; i += 9) {
        index.add(i, at(hay, i));
        ref.live.set(i, at(hay, i));
      }
      expectExact(index, ref, queries, ALL, `${label} after rebuild and re-adds`);
      const restored = HammingIndex.fromSnapshot(index.toSnapshot('pdq'), { strategy: 'probe' });
      expectExact(
        restored,
        ref,
        queries.subarray(0, 4 * 8),
        ALL.filter((t) => t <= 40),
        `${label} from a snapshot`,
      );
    }
  });
});

describe('HammingIndex on a bank that is mostly one still shot', () => {
  // 60% of the entries are one frame with 0–6 bits flipped: one value of every chunk holds most of
  // the bank, so a probe near it would read more entries than a scan compares slots.
  const { hay, queries } = clusteredSet(2000, 16, 9, 0.6);
  const n = hay.length / 8;

  it('scans instead of reading huge buckets, and stays exact at every threshold 0–63 through adds, removals and rebuilds', async () => {
    const ref = new Reference();
    const half = n / 2;
    const index = HammingIndex.fromEntries(
      hay.subarray(0, half * 8),
      Uint32Array.from({ length: half }, (_, i) => i),
      { strategy: 'probe', deltaLimit: 300 },
    );
    for (let i = 0; i < half; i++) ref.live.set(i, at(hay, i));
    // A query on the still shot (the first entry, as it is) takes the scan; a random one probes.
    index.query(at(hay, 0), 10);
    expect(probeCounters.scanned).toBe(1);
    index.query(at(queries, 3), 10);
    expect(probeCounters.scanned).toBe(0);
    // So in a batch: the still shot's queries are scanned, the others probed, and all are exact.
    const batch = batchOf(new Uint32Array([...at(hay, 0), ...at(queries, 3)]));
    const scannedBefore = batchCounters.scanned;
    const answers = index.queryBatch(batch.qs, batch.n, 10);
    expect(batchCounters.scanned - scannedBefore).toBe(batch.n / 2);
    answers.forEach((got, i) => expect(sorted(got)).toEqual(sorted(ref.matches(i % 2 === 0 ? at(hay, 0) : at(queries, 3), 10))));
    expectExact(index, ref, queries, ALL, 'fresh');
    for (let i = half; i < n; i++) {
      index.add(i, at(hay, i));
      ref.live.set(i, at(hay, i));
    }
    await index.rebuildInBackground();
    expect(index.stats().deltaCount).toBe(0);
    for (let i = 0; i < n; i += 4) {
      expect(index.remove(i, at(hay, i))).toBe(true);
      ref.live.delete(i);
    }
    expectExact(index, ref, queries, ALL, 'after adds and removals');
    index.rebuild();
    for (let i = 0; i < n; i += 8) {
      index.add(i, at(hay, i));
      ref.live.set(i, at(hay, i));
    }
    expect(expectExact(index, ref, queries, ALL, 'after rebuild and re-adds')).toBeGreaterThan(0);
  });
});

describe('probeBatch in parts', () => {
  it('numbers the queries of a batch larger than a part as one batch', () => {
    const { hay, queries } = randomSet(3000, 40, 21);
    const index = HammingIndex.fromEntries(
      hay,
      Uint32Array.from({ length: 3000 }, (_, i) => i),
      { strategy: 'probe' },
    );
    const batch = batchOf(queries);
    for (const t of [0, 10, 31]) {
      const whole: string[] = [];
      const parts: string[] = [];
      const view = index.view();
      probeBatch(view, batch.qs, batch.n, t, (q, slot, d) => whole.push(`${q} ${view.ids[slot]} ${d}`));
      // Parts of 7 queries (the default part is thousands): the same hits under the same numbers.
      probeBatch(view, batch.qs, batch.n, t, (q, slot, d) => parts.push(`${q} ${view.ids[slot]} ${d}`), 7);
      expect(parts.sort()).toEqual(whole.sort());
      const want = Array.from({ length: batch.n }, (_, i) => bruteForce(hay, at(batch.qs, i), t).map((m) => `${i} ${m.id} ${m.distance}`));
      expect(whole).toEqual(want.flat().sort());
      expect(whole.length).toBeGreaterThan(0);
    }
  });
});
