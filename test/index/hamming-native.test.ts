/**
 * Issue 19 (batch and single lookups): the C kernel (native/hamming.c) walks a batch and
 * probes a single query as the JavaScript does — the same hits in the same order, on every form of
 * chunk table (bitmaps too) and at every threshold — and refuses a damaged table or bad arguments
 * with an error instead of reading past an array. Setup builds it (scripts/native.mjs); hamming-exact.test.ts holds both to brute force.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { evenLayout, layoutFor, type ChunkLayout } from '../../src/index/chunks.js';
import { batchCounters, probeBatch } from '../../src/index/hamming-batch.js';
import { bruteForce, HammingIndex } from '../../src/index/hamming-index.js';
import { bucketOffset, offsetCount, probeBase, probeCounters, type ChunkTable, type HammingView } from '../../src/index/hamming-probe.js';
import { nativeKernel, useNativeKernel, type KernelBuild } from '../../src/index/native.js';
import { clusteredSet, rng } from '../../bench/gen-hashes.js';

afterEach(() => useNativeKernel(true));

function randomHashes(n: number, seed: number): Uint32Array {
  const r = rng(seed);
  return Uint32Array.from({ length: n * 8 }, () => r());
}

/** Queries: variants (0–40 bits flipped) of entries, and random hashes. */
function queriesNear(hay: Uint32Array, count: number, seed: number): Uint32Array {
  const r = rng(seed);
  const n = hay.length / 8;
  const qs = randomHashes(count, seed + 1);
  for (let i = 0; i < count; i += 2) {
    const e = r() % n;
    qs.set(hay.subarray(e * 8, e * 8 + 8), i * 8);
    for (let k = r() % 41; k > 0; k--) qs[i * 8 + (r() & 7)] ^= 1 << (r() & 31);
  }
  return qs;
}

/** probeBatch's hits, in the order it reports them, with the C kernel or the JavaScript walk. */
function hitsOf(view: HammingView, qs: Uint32Array, threshold: number, native: boolean | KernelBuild): string[] {
  useNativeKernel(native);
  const out: string[] = [];
  probeBatch(view, qs, qs.length / 8, threshold, (q, slot, d) => out.push(`${q}:${slot}:${d}`));
  return out;
}

/** probeBase's hits for each query, in the order it reports them, with the C kernel or the JavaScript phases. */
function singleHitsOf(view: HammingView, qs: Uint32Array, threshold: number, native: boolean | KernelBuild): string[] {
  useNativeKernel(native);
  const out: string[] = [];
  for (let q = 0; q < qs.length / 8; q++) {
    probeBase(view, qs.subarray(q * 8, q * 8 + 8), threshold, (slot, d) => out.push(`${q}:${slot}:${d}`));
    out.push(`${q} ${probeCounters.scanned ? 'scanned' : 'probed'}`);
  }
  return out;
}

/** The view with every packed table unpacked into slots and one-byte suffixes, and flat offsets: the older forms. */
function unpacked(view: HammingView): HammingView {
  const chunks = view.chunks.map((t): ChunkTable => {
    const keys = offsetCount(t);
    const offsets = Uint32Array.from({ length: keys }, (_, k) => bucketOffset(t, k));
    if (!t.packed) return { start: t.start, bits: t.bits, suffixBits: t.suffixBits, offsets };
    const shift = t.packShift ?? 8;
    return {
      start: t.start,
      bits: t.bits,
      suffixBits: t.suffixBits,
      offsets,
      slots: t.packed.map((x) => x >>> shift),
      suffixes: Uint8Array.from(t.packed, (x) => x & ((1 << shift) - 1)),
    };
  });
  return { ...view, chunks };
}

const THRESHOLDS = [0, 1, 5, 10, 16, 22, 31, 32, 40, 50, 63];
/** The build tuned for this CPU (AVX-512 here) and the scalar one machines without it run. */
const BUILDS: KernelBuild[] = ['tuned', 'scalar'];

describe('the C batch kernel', () => {
  it('is built by setup and loads', () => {
    expect(nativeKernel(), 'native/build/hamming.node (node scripts/native.mjs)').toBeDefined();
    useNativeKernel('scalar');
    expect(nativeKernel(), 'native/build/hamming-scalar.node (node scripts/native.mjs)').toBeDefined();
    expect(nativeKernel()).not.toBe((useNativeKernel(true), nativeKernel()));
    useNativeKernel(false);
    expect(nativeKernel()).toBeUndefined();
  });

  const layouts: Array<[string, ChunkLayout | undefined]> = [
    ['default (two-byte suffixes beside the slots)', undefined],
    ['packed entries', { ...evenLayout(11, 16), bitmaps: false }],
    ['16 chunks of 16 bits', { ...evenLayout(16, 10), bitmaps: false }],
    ['default layout of 3,000', { ...layoutFor(3000), bitmaps: false }],
    ['packed entries with bitmaps (single queries only)', { ...evenLayout(11, 16), bitmaps: true }],
    ['default layout with bitmaps (single queries only)', { ...layoutFor(3000), bitmaps: true }],
  ];
  for (const [label, layout] of layouts) {
    it(`finds the JavaScript's hits in its order: ${label}, random and clustered banks, thresholds 0–63`, () => {
      const banks: Array<[string, Uint32Array, Uint32Array]> = [];
      const hay = randomHashes(3000, 5);
      banks.push(['random', hay, queriesNear(hay, 80, 6)]);
      const clustered = clusteredSet(3000, 80, 3, 0.1);
      banks.push(['clustered', clustered.hay, clustered.queries]);
      const still = clusteredSet(2000, 40, 9, 0.6); // mostly one still shot: queries near it are scanned
      banks.push(['still shot', still.hay, still.queries]);
      let total = 0;
      for (const [bank, h, qs] of banks) {
        const n = h.length / 8;
        const index = HammingIndex.fromEntries(
          h,
          Uint32Array.from({ length: n }, (_, i) => i),
          { strategy: 'probe', ...(layout ? { layout } : {}) },
        );
        for (let i = 0; i < n; i += 11) index.remove(i, h.subarray(i * 8, i * 8 + 8)); // liveness is read too
        const views = [index.view(), unpacked(index.view())];
        const bitmaps = index.view().chunks.some((t) => t.present);
        for (const [v, view] of views.entries()) {
          for (const t of THRESHOLDS) {
            const before = batchCounters.kernelFailures + probeCounters.kernelFailures;
            const some = qs.subarray(0, 40 * 8);
            const singles = singleHitsOf(view, some, t, false);
            const js = bitmaps ? [] : hitsOf(view, qs, t, false);
            for (const build of BUILDS) {
              expect(singleHitsOf(view, some, t, build), `single queries, ${build} build: ${bank}, view ${v}, threshold ${t}`).toEqual(singles);
              if (!bitmaps) expect(hitsOf(view, qs, t, build), `batch, ${build} build: ${bank}, view ${v}, threshold ${t}`).toEqual(js);
            }
            total += singles.length + js.length;
            expect(batchCounters.kernelFailures + probeCounters.kernelFailures).toBe(before);
          }
        }
        // And the answers are brute force's (over the live entries).
        const t = 31;
        const got = (bitmaps ? singleHitsOf(index.view(), qs, t, true).filter((x) => !x.includes(' ')) : hitsOf(index.view(), qs, t, true)).sort();
        const want: string[] = [];
        for (let q = 0; q < qs.length / 8; q++)
          for (const m of bruteForce(h, qs.subarray(q * 8, q * 8 + 8), t))
            if (m.id % 11 !== 0) want.push(`${q}:${index.view().ids.indexOf(m.id)}:${m.distance}`);
        expect(got).toEqual(want.sort());
      }
      expect(total).toBeGreaterThan(1000);
    });
  }

  it('refuses a damaged chunk table (the JavaScript walk answers instead) and bad arguments, with an error', () => {
    const hay = randomHashes(3000, 8);
    const qs = queriesNear(hay, 64, 9);
    const index = HammingIndex.fromEntries(
      hay,
      Uint32Array.from({ length: 3000 }, (_, i) => i),
      { strategy: 'probe', layout: { ...evenLayout(11, 16), bitmaps: false } },
    );
    const view = index.view();
    // A bucket offset far past the entries (as a corrupt snapshot would give).
    const damaged: HammingView = {
      ...view,
      chunks: view.chunks.map((t, c) => (c === 3 ? { ...t, rel: Uint16Array.from(t.rel!, (x, k) => (k % 97 === 5 ? 0xffff : x)) } : t)),
    };
    const before = batchCounters.kernelFailures;
    const withKernel = hitsOf(damaged, qs, 31, true);
    expect(batchCounters.kernelFailures).toBe(before + 1);
    expect(withKernel).toEqual(hitsOf(damaged, qs, 31, false));
    // Single queries: each probe that reads the damaged bucket is refused and answered in JavaScript.
    const singleBefore = probeCounters.kernelFailures;
    const singles = singleHitsOf(damaged, qs, 63, true);
    expect(probeCounters.kernelFailures).toBeGreaterThan(singleBefore);
    expect(singles).toEqual(singleHitsOf(damaged, qs, 63, false));
    // Slots past the hashes (a packed entry naming slot 2^20).
    const badSlot: HammingView = {
      ...view,
      chunks: view.chunks.map((t, c) => (c === 2 ? { ...t, packed: t.packed!.map((x) => x | (1 << 28)) } : t)),
    };
    useNativeKernel(true);
    const radius2 = [new Int32Array([0, 24, 8, 2, 8])];
    const kernel = nativeKernel()!;
    const scanned = new Uint8Array(64);
    expect(() => probeBatch(badSlot, qs, 64, 31, () => {})).not.toThrow();
    expect(batchCounters.kernelFailures).toBe(before + 2);
    expect(() => kernel.probePart(view.hashes, view.alive, qs, 64, 31, 16, 1e9, 1e9, scanned, [])).not.toThrow();
    expect(() => (kernel.probePart as (...a: unknown[]) => unknown)(view.hashes)).toThrow(/10 arguments/);
    expect(() => kernel.probePart(view.hashes, view.alive, qs, 65, 31, 16, 1e9, 1e9, scanned, [])).toThrow(/bad arrays/);
    expect(() => kernel.probePart(view.hashes, view.alive, qs, 64, 31, 16, 1e9, 1e9, scanned, [radius2[0] as unknown as unknown[]])).toThrow(
      /bad chunk tables/,
    );
    expect(() => kernel.probePart(view.hashes, view.alive, qs, 64, 31, 16, 1e9, 1e9, scanned, [[radius2[0]]])).toThrow(/bad chunk tables/);
  });
});
