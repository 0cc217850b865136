/**
 * Issue 19 (100 M hashes in ≤ 8 GB): a bulk build and a restart can hold one copy of the hashes.
 * fromEntries with { adopt } reorders the caller's arrays in place and keeps them; fromSnapshot
 * with { adopt } keeps a snapshot's slot arrays (read into shared memory for a shared index). What
 * this could break: the matches (must equal brute force and the copying build), and independence
 * (an index that did not adopt must never share slots with its source).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bruteForce, HammingIndex, type HammingMatch } from '../../src/index/hamming-index.js';
import { readSnapshot, SHARED_SNAPSHOT_KINDS, writeSnapshot } from '../../src/index/snapshot.js';
import { buildIndex, SIGNAL_TYPES } from '../../src/signals/registry.js';
import { clusteredSet } from '../../bench/gen-hashes.js';

const sorted = (ms: HammingMatch[]) => [...ms].sort((a, b) => a.id - b.id || a.distance - b.distance);
const at = (packed: Uint32Array, i: number) => packed.subarray(i * 8, i * 8 + 8);
const dir = mkdtempSync(join(tmpdir(), 'alliance-adopt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Clustered hashes (many equal chunk values: long permutation cycles and fixed points) with ids in reverse. */
function bank(n: number) {
  const { hay, queries } = clusteredSet(n, 24, 5);
  const count = hay.length / 8;
  return { hay, queries, ids: Uint32Array.from({ length: count }, (_, i) => count - 1 - i), count };
}

/** The brute-force matches of `q` in `hay`, under the ids `ids` gives positions. */
const reference = (hay: Uint32Array, ids: Uint32Array, q: Uint32Array, t: number) =>
  sorted(bruteForce(hay, q, t).map((m) => ({ id: ids[m.id], distance: m.distance })));

describe('HammingIndex adopting its arrays', () => {
  it('fromEntries reorders the caller’s arrays in place and answers exactly as brute force and the copying build', () => {
    const { hay, queries, ids, count } = bank(3000);
    const original = hay.slice();
    const copied = HammingIndex.fromEntries(hay, ids, { strategy: 'probe' });
    expect(hay).toEqual(original); // the copying build leaves the caller's arrays alone
    const adopted = HammingIndex.fromEntries(hay, ids, { strategy: 'probe', adopt: true });
    expect(adopted.view().hashes).toBe(hay);
    expect(adopted.view().ids).toBe(ids);
    expect(hay).not.toEqual(original); // reordered by the first chunk
    // The same multiset of (id, hash): every id still names its own hash.
    const byId = new Map<number, string>();
    for (let s = 0; s < count; s++) byId.set(ids[s], at(hay, s).join(','));
    for (let i = 0; i < count; i++) expect(byId.get(count - 1 - i)).toBe(at(original, i).join(','));
    const originalIds = Uint32Array.from({ length: count }, (_, i) => count - 1 - i);
    for (const t of [0, 8, 31, 48, 63]) {
      for (let q = 0; q < queries.length / 8; q++) {
        const want = reference(original, originalIds, at(queries, q), t);
        expect(sorted(adopted.query(at(queries, q), t)), `t=${t} q=${q}`).toEqual(want);
        expect(sorted(copied.query(at(queries, q), t))).toEqual(want);
      }
    }
    // It goes on as any index: adds past its (exact) capacity grow it, removals hold, rebuilds fold.
    adopted.add(1_000_000, at(queries, 0));
    expect(adopted.query(at(queries, 0), 0).map((m) => m.id)).toContain(1_000_000);
    expect(adopted.remove(originalIds[0], at(original, 0))).toBe(true);
    adopted.rebuild();
    expect(adopted.query(at(original, 0), 0).map((m) => m.id)).not.toContain(originalIds[0]);
    expect(adopted.query(at(queries, 0), 0).map((m) => m.id)).toContain(1_000_000);
  });

  it('copies instead when the arrays are not the memory the index needs or views into a larger buffer', () => {
    const { hay, ids } = bank(500);
    const shared = HammingIndex.fromEntries(hay, ids, { adopt: true, shared: true });
    expect(shared.view().hashes).not.toBe(hay);
    expect(shared.view().hashes.buffer).toBeInstanceOf(SharedArrayBuffer);
    // A view would keep the rest of its buffer alive unseen: copied, at any offset.
    const roomy = new Uint32Array(hay.length + 64);
    roomy.set(hay);
    for (const view of [roomy.subarray(0, hay.length), roomy.subarray(8, hay.length + 8)]) {
      const fromView = HammingIndex.fromEntries(view, ids.slice(), { adopt: true });
      expect(fromView.view().hashes).not.toBe(view);
      expect(fromView.view().hashes.buffer.byteLength).toBe(view.byteLength);
    }
    const whole = hay.slice();
    expect(HammingIndex.fromEntries(whole, ids.slice(), { adopt: true }).view().hashes).toBe(whole);
  });

  it('a restart reads a snapshot into shared memory and keeps it; without adopt a restored index shares no slots with its source', async () => {
    const { hay, queries, ids } = bank(2000);
    const ref = HammingIndex.fromEntries(hay, ids, { strategy: 'probe' });
    const file = join(dir, 'pdq.snapshot');
    await writeSnapshot(file, ref.toSnapshot('pdq'));
    const snap = await readSnapshot(file, { sharedKinds: SHARED_SNAPSHOT_KINDS });
    expect((snap.sections.hashes as Uint32Array).buffer).toBeInstanceOf(SharedArrayBuffer);
    const restored = HammingIndex.fromSnapshot(snap, { shared: true, adopt: true, strategy: 'probe' });
    expect(restored.view().hashes).toBe(snap.sections.hashes);
    expect(restored.view().alive).toBe(snap.sections.alive);
    for (let q = 0; q < queries.length / 8; q++) expect(sorted(restored.query(at(queries, q), 31))).toEqual(sorted(ref.query(at(queries, q), 31)));
    // Other kinds decode their sections, which TextDecoder refuses in shared memory: they stay unshared.
    const plain = await readSnapshot(file, { sharedKinds: ['exact'] });
    expect((plain.sections.hashes as Uint32Array).buffer).not.toBeInstanceOf(SharedArrayBuffer);

    // A snapshot taken in memory shares the source's arrays; restoring it without adopt copies the slots.
    const source = HammingIndex.fromEntries(hay, ids, { strategy: 'probe', adopt: true });
    const twin = HammingIndex.fromSnapshot(source.toSnapshot('pdq'), { strategy: 'probe' });
    const first = at(source.view().hashes, 0).slice();
    const firstId = source.view().ids[0];
    expect(twin.remove(firstId, first)).toBe(true);
    expect(source.query(first, 0).map((m) => m.id)).toContain(firstId);
    expect(twin.query(first, 0).map((m) => m.id)).not.toContain(firstId);
  });
});

describe('the PDQ index built from stored signals', () => {
  const hex = (w: Uint32Array) => Array.from(w, (x) => x.toString(16).padStart(8, '0')).join('');
  async function* pagesOf(hay: Uint32Array, pageSize: number) {
    const n = hay.length / 8;
    for (let i = 0; i < n; i += pageSize) yield Array.from({ length: Math.min(pageSize, n - i) }, (_, k) => ({ id: 10 + i + k, value: hex(at(hay, i + k)) }));
  }

  it('answers the same whether the count it was given is exact, short or missing (shared memory too)', async () => {
    const { hay, queries, count } = bank(2500);
    const type = SIGNAL_TYPES.get('pdq')!;
    const ids = Uint32Array.from({ length: count }, (_, i) => 10 + i);
    for (const options of [{ expected: count }, { expected: count, shared: true }, { expected: 700 }, {}, { expected: count + 5000 }]) {
      const index = await buildIndex(type, pagesOf(hay, 999), options);
      expect(index.size, JSON.stringify(options)).toBe(count);
      for (let q = 0; q < queries.length / 8; q++) {
        const want = reference(hay, ids, at(queries, q), 31);
        expect(sorted(index.query(hex(at(queries, q)), 31)), JSON.stringify(options)).toEqual(want);
      }
    }
  });
});
