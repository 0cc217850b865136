/**
 * Issue 19 (speed): bucket offsets are two-level (a base a block of keys, two bytes a key, blocks
 * of more than 65,535 entries kept wide). The index stays exactly brute force when a block is wide,
 * through a snapshot; and a snapshot written before (flat four-byte offsets, by commit 40b6fdb)
 * still loads, answers exactly, and is rebuilt into the new form.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bruteForce, HammingIndex, type HammingMatch } from '../../src/index/hamming-index.js';
import { batchCounters } from '../../src/index/hamming-batch.js';
import { probeCounters } from '../../src/index/hamming-probe.js';
import { readSnapshot } from '../../src/index/snapshot.js';
import { flipDistinct, rng } from '../../bench/gen-hashes.js';

const sorted = (ms: HammingMatch[]) => [...ms].sort((a, b) => a.id - b.id || a.distance - b.distance);
const at = (packed: Uint32Array, i: number) => packed.subarray(i * 8, i * 8 + 8);

/** Brute force over the live entries: `live` maps an id to its position in `hay`. */
function expected(hay: Uint32Array, live: number[], q: Uint32Array, t: number): HammingMatch[] {
  const sub = new Uint32Array(live.length * 8);
  live.forEach((id, j) => sub.set(at(hay, id), j * 8));
  return bruteForce(sub, q, t).map((m) => ({ id: live[m.id], distance: m.distance }));
}

describe('two-level bucket offsets', () => {
  it('keeps blocks of more than 65,535 entries wide, exactly, through a snapshot', () => {
    // 70,000 variants (0–3 bits) of one hash among 130,000 random ones: every chunk's bucket of
    // that hash's value overflows 16 bits.
    const r = rng(7);
    const cluster = 70_000;
    const n = cluster + 130_000;
    const hay = new Uint32Array(n * 8);
    for (let w = 0; w < 8; w++) hay[w] = r();
    for (let i = 1; i < cluster; i++) {
      hay.copyWithin(i * 8, 0, 8);
      flipDistinct(hay, i, r() % 4, r);
    }
    for (let i = cluster * 8; i < n * 8; i++) hay[i] = r();
    const index = HammingIndex.fromEntries(
      hay,
      Uint32Array.from({ length: n }, (_, i) => i),
      { strategy: 'probe' },
    );
    const chunks = index.view().chunks;
    expect(chunks.every((t) => t.blockBase && t.rel && !t.offsets)).toBe(true);
    expect(chunks.filter((t) => t.wide).length).toBe(chunks.length);
    const restored = HammingIndex.fromSnapshot(index.toSnapshot('pdq'), { strategy: 'probe' });
    // The cluster's hash three bits away on every chunk but one: only that chunk's wide bucket is
    // read (its entries are verified one by one, no scan), and matches lie around the threshold.
    const near: Uint32Array[] = chunks.slice(0, 4).map((_, keep) => {
      const q = Uint32Array.from(at(hay, 0));
      chunks.forEach((t, c) => {
        if (c === keep) return;
        for (let b = t.start; b < t.start + 3; b++) q[b >>> 5] ^= 1 << (31 - (b & 31));
      });
      return q;
    });
    const queries = [...near, at(hay, 123), at(hay, 71_000), new Uint32Array(8).fill(0x5a5a5a5a)];
    const all = Array.from({ length: n }, (_, i) => i);
    let probedMatches = 0;
    for (const t of [0, 2, 8, 30, 31, 33]) {
      for (const q of queries) {
        const want = sorted(expected(hay, all, q, t));
        expect(sorted(index.query(q, t)), `threshold ${t}`).toEqual(want);
        if (near.includes(q) && (t === 30 || t === 31)) {
          expect(probeCounters.scanned, `threshold ${t}`).toBe(0);
          probedMatches += want.length;
        }
        expect(sorted(restored.query(q, t)), `restored, threshold ${t}`).toEqual(want);
      }
    }
    expect(probedMatches).toBeGreaterThan(1000);
    // The same as one batch (probed together, reading the wide blocks' offsets in key order), with
    // variants of the near queries to make it a batch worth sorting.
    const batch = [...queries];
    const vr = rng(11);
    while (batch.length < 48) {
      const q = Uint32Array.from(near[batch.length % near.length]);
      flipDistinct(q, 0, vr() % 3, vr);
      batch.push(q);
    }
    const packed = new Uint32Array(batch.length * 8);
    batch.forEach((q, i) => packed.set(q, i * 8));
    const before = batchCounters.batches;
    for (const t of [8, 30, 31]) {
      const answers = index.queryBatch(packed, batch.length, t);
      batch.forEach((q, i) => expect(sorted(answers[i]), `batch, threshold ${t}, query ${i}`).toEqual(sorted(expected(hay, all, q, t))));
    }
    expect(batchCounters.batches).toBeGreaterThan(before);
  });

  it('loads a snapshot with flat offsets (written before), answers exactly, and rebuilds it two-level', async () => {
    // The hashes of the fixture, made as test/index/fixtures' snapshot was made (commit 40b6fdb):
    // 600 hashes, half near-variants of earlier ones; ids 0–499 built, 500–599 added after
    // (the delta), every seventh removed.
    const r = rng(19);
    const n = 600;
    const hay = new Uint32Array(n * 8);
    for (let i = 0; i < n; i++) {
      if (i > 0 && r() % 2 === 0) {
        hay.copyWithin(i * 8, (r() % i) * 8, (r() % i) * 8 + 8);
        flipDistinct(hay, i, 1 + (r() % 24), r);
      } else for (let w = 0; w < 8; w++) hay[i * 8 + w] = r();
    }
    const live = Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 0);
    const snap = await readSnapshot(join(import.meta.dirname, 'fixtures', 'hamming-before-issue19-speed.snapshot'));
    expect(Object.keys(snap.sections)).toContain('offsets1');
    const index = HammingIndex.fromSnapshot(snap, { strategy: 'probe', deltaLimit: 1 << 20 });
    expect(index.stats()).toMatchObject({ size: live.length, baseCount: 500, deltaCount: 100 });
    expect(index.view().chunks.every((t) => t.offsets && !t.rel)).toBe(true);
    const queries: Uint32Array[] = [];
    const qr = rng(5);
    for (let k = 0; k < 24; k++) {
      const q = Uint32Array.from(at(hay, qr() % n));
      flipDistinct(q, 0, qr() % 40, qr);
      queries.push(q);
    }
    const check = (label: string) => {
      for (let t = 0; t <= 63; t += 3)
        for (const q of queries) expect(sorted(index.query(q, t)), `${label}, threshold ${t}`).toEqual(sorted(expected(hay, live, q, t)));
    };
    check('as loaded');
    index.remove(1, at(hay, 1));
    live.splice(live.indexOf(1), 1);
    index.rebuild();
    expect(index.view().chunks.every((t) => t.rel && !t.offsets)).toBe(true);
    expect(index.stats()).toMatchObject({ size: live.length, baseCount: live.length, deltaCount: 0 });
    check('rebuilt');
  });
});
