/**
 * Acceptance: the match index returns exactly the brute-force matches — on the shared
 * needles/haystack at thresholds 0, 16, 31, 47, 63 and on a 100k generated set — whether it
 * probes or scans, after incremental adds and removals, and after a snapshot round trip.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evenLayout, layoutFor } from '../../src/index/chunks.js';
import { bruteForce, HammingIndex, type HammingMatch } from '../../src/index/hamming-index.js';
import { readHashLines } from '../../src/index/hash-lines.js';
import { readSnapshot, writeSnapshot } from '../../src/index/snapshot.js';
import { FIXTURES, SHARED } from '../support/paths.js';

const THRESHOLDS = [0, 16, 31, 47, 63];
const sorted = (ms: HammingMatch[]) => [...ms].sort((a, b) => a.id - b.id || a.distance - b.distance);
const ids = (n: number, offset = 0) => Uint32Array.from({ length: n }, (_, i) => i + offset);
const at = (packed: Uint32Array, i: number) => packed.subarray(i * 8, i * 8 + 8);

function expectSameAsBruteForce(index: HammingIndex, haystack: Uint32Array, queries: Uint32Array, thresholds = THRESHOLDS, idOffset = 0): number {
  let total = 0;
  for (const t of thresholds) {
    for (let q = 0; q < queries.length / 8; q++) {
      const want = bruteForce(haystack, at(queries, q), t).map((m) => ({ id: m.id + idOffset, distance: m.distance }));
      const got = index.query(at(queries, q), t);
      expect(sorted(got), `query ${q} at threshold ${t}`).toEqual(sorted(want));
      total += want.length;
    }
  }
  return total;
}

describe('HammingIndex on the shared needles and haystack', () => {
  let haystack: Uint32Array;
  let needles: Uint32Array;
  beforeAll(async () => {
    haystack = await readHashLines(join(FIXTURES, 'pdq', 'haystack.txt'));
    needles = await readHashLines(join(FIXTURES, 'pdq', 'needles.txt'));
  });

  it.each(['probe', 'scan', 'auto'] as const)('%s: exactly the brute-force matches at 0, 16, 31, 47, 63', (strategy) => {
    expect(haystack.length / 8).toBe(1350);
    expect(needles.length / 8).toBe(100);
    const index = HammingIndex.fromEntries(haystack, ids(1350), { strategy });
    const total = expectSameAsBruteForce(index, haystack, needles);
    expect(total).toBeGreaterThan(100); // the fixtures do contain matches at every threshold
  });

  it('with other layouts too (chunk count and key width do not change results)', () => {
    for (const layout of [evenLayout(16, 8), evenLayout(12, 10), layoutFor(1350, 13)]) {
      const index = HammingIndex.fromEntries(haystack, ids(1350), { strategy: 'probe', layout });
      expectSameAsBruteForce(index, haystack, needles, [0, 31, 63]);
    }
  });
});

describe('HammingIndex on a 100k generated set', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-index-'));
  let haystack: Uint32Array;
  let queries: Uint32Array;
  beforeAll(async () => {
    execFileSync('python3', [join(SHARED, 'bench', 'make_hashes.py'), '100000', '200', dir]);
    haystack = await readHashLines(join(dir, 'haystack.txt'));
    queries = await readHashLines(join(dir, 'queries.txt'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('probing returns exactly the brute-force matches at 0, 16, 31, 47, 63', () => {
    const index = HammingIndex.fromEntries(haystack, ids(100_000), { strategy: 'probe' });
    expect(expectSameAsBruteForce(index, haystack, queries)).toBeGreaterThan(100);
  });

  it('stays exact through adds (delta), removals and background rebuilds', async () => {
    const half = 50_000;
    const index = HammingIndex.fromEntries(haystack.subarray(0, half * 8), ids(half), { strategy: 'probe', deltaLimit: 10_000 });
    for (let i = half; i < 100_000; i++) index.add(i, at(haystack, i));
    expectSameAsBruteForce(index, haystack, queries.subarray(0, 40 * 8), [31]);
    await index.rebuildInBackground();
    expect(index.stats().deltaCount).toBeLessThan(10_000);
    // Remove every third entry: results equal brute force over what is left.
    const kept: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      if (i % 3 === 0) expect(index.remove(i, at(haystack, i))).toBe(true);
      else kept.push(i);
    }
    expect(index.size).toBe(kept.length);
    expect(index.remove(0, at(haystack, 0))).toBe(false);
    const left = new Uint32Array(kept.length * 8);
    kept.forEach((id, j) => left.set(at(haystack, id), j * 8));
    for (let q = 0; q < 40; q++) {
      const want = bruteForce(left, at(queries, q), 31).map((m) => ({ id: kept[m.id], distance: m.distance }));
      expect(sorted(index.query(at(queries, q), 31))).toEqual(sorted(want));
    }
  });

  it('an added hash matches in the very next query; a removed one never again', () => {
    const index = HammingIndex.fromEntries(haystack, ids(100_000), { strategy: 'probe' });
    const fresh = 'f'.repeat(60) + '0000';
    expect(index.query(fresh, 0)).toEqual([]);
    index.add(4_000_000_000, fresh);
    expect(index.query(fresh, 0)).toEqual([{ id: 4_000_000_000, distance: 0 }]);
    index.remove(4_000_000_000, fresh);
    expect(index.query(fresh, 31)).toEqual([]);
  });

  it('a snapshot restores the same index without rebuilding', async () => {
    const index = HammingIndex.fromEntries(haystack, ids(100_000, 7), { strategy: 'probe' });
    index.remove(7, at(haystack, 0));
    index.add(3, at(queries, 0));
    const file = join(dir, 'pdq.snapshot');
    await writeSnapshot(file, index.toSnapshot('pdq'));
    const snap = await readSnapshot(file);
    expect(snap.signalType).toBe('pdq');
    const restored = HammingIndex.fromSnapshot(snap, { strategy: 'probe' });
    expect({ ...restored.stats(), bytes: 0 }).toEqual({ ...index.stats(), bytes: 0 });
    for (let q = 0; q < 50; q++) expect(sorted(restored.query(at(queries, q), 31))).toEqual(sorted(index.query(at(queries, q), 31)));
  });

  it('a damaged snapshot is refused with INDEX_SNAPSHOT_INVALID', async () => {
    const file = join(dir, 'bad.snapshot');
    writeFileSync(file, 'not a snapshot');
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'INDEX_SNAPSHOT_INVALID' });
    const good = join(dir, 'good.snapshot');
    await writeSnapshot(good, HammingIndex.fromEntries(haystack.subarray(0, 800), ids(100)).toSnapshot('pdq'));
    const bytes = (await import('node:fs')).readFileSync(good);
    writeFileSync(file, bytes.subarray(0, bytes.length - 100));
    await expect(readSnapshot(file)).rejects.toMatchObject({ code: 'INDEX_SNAPSHOT_INVALID' });
  });
});

describe('readHashLines', () => {
  it('names the line of a malformed hash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-lines-'));
    const file = join(dir, 'h.txt');
    writeFileSync(file, `${'a'.repeat(64)}\r\n\n${'b'.repeat(63)}\n`);
    await expect(readHashLines(file)).rejects.toThrow(/line 3: expected 64 hex digits, got 63/);
    writeFileSync(file, `${'a'.repeat(64)}\n${'A'.repeat(64)}`);
    expect([...(await readHashLines(file))]).toEqual([...Array(8).fill(0xaaaaaaaa), ...Array(8).fill(0xaaaaaaaa)]);
    rmSync(dir, { recursive: true });
  });
});

describe('HammingIndex on query threads', () => {
  it('answers single queries where they are asked when the threads take batches only (serve --workers N)', async () => {
    const { QueryThreads } = await import('../../src/index/query-threads.js');
    const r = (seed: number) => Uint32Array.from({ length: 30_000 * 8 }, (_, i) => Math.imul(i + seed, 2654435761) ^ (i >>> 3));
    const haystack = r(1);
    const queries = haystack.slice(0, 64 * 8).map((w, i) => (i % 8 === 3 ? w ^ 0x1010 : w));
    const threads = new QueryThreads(1, false);
    try {
      const index = HammingIndex.fromEntries(haystack, ids(30_000), { shared: true, strategy: 'probe' });
      const plain = HammingIndex.fromEntries(haystack, ids(30_000), { strategy: 'probe' });
      index.useThreads(threads);
      await index.published();
      for (let q = 0; q < 64; q++) expect(sorted(await index.queryAsync(at(queries, q), 31))).toEqual(sorted(plain.query(at(queries, q), 31)));
      expect(threads.running).toBe(0); // no thread for single queries
      const batch = await index.queryBatchAsync(queries, 64, 31);
      batch.forEach((got, q) => expect(sorted(got)).toEqual(sorted(plain.query(at(queries, q), 31))));
      expect(batch.flat().length).toBeGreaterThanOrEqual(64);
      expect(threads.running, threads.lastError).toBe(1); // the batch thread
    } finally {
      await threads.close();
    }
  });

  it('returns the same results as on the main thread, through adds, removals and rebuilds', async () => {
    const { QueryThreads } = await import('../../src/index/query-threads.js');
    const dir = mkdtempSync(join(tmpdir(), 'alliance-threads-'));
    execFileSync('python3', [join(SHARED, 'bench', 'make_hashes.py'), '60000', '100', dir]);
    const haystack = await readHashLines(join(dir, 'haystack.txt'));
    const queries = await readHashLines(join(dir, 'queries.txt'));
    rmSync(dir, { recursive: true, force: true });
    const threads = new QueryThreads(2);
    try {
      const index = HammingIndex.fromEntries(haystack.subarray(0, 40_000 * 8), ids(40_000), { shared: true, strategy: 'probe', deltaLimit: 5000 });
      index.useThreads(threads);
      const plain = HammingIndex.fromEntries(haystack.subarray(0, 40_000 * 8), ids(40_000), { strategy: 'probe' });
      await index.published();
      const same = async () => {
        for (let q = 0; q < 100; q++) expect(sorted(await index.queryAsync(at(queries, q), 31))).toEqual(sorted(plain.query(at(queries, q), 31)));
        // The same queries as one batch, probed together on one thread.
        const batch = await index.queryBatchAsync(queries.subarray(0, 100 * 8), 100, 31);
        batch.forEach((got, q) => expect(sorted(got), `batch item ${q}`).toEqual(sorted(plain.query(at(queries, q), 31))));
      };
      await same();
      for (let i = 40_000; i < 60_000; i++) {
        index.add(i, at(haystack, i));
        plain.add(i, at(haystack, i));
      }
      await same(); // mostly in the delta and an unpublished rebuild
      index.rebuild(); // the threads get this base before these queries, before the main thread knows they have it
      const all = await Promise.all(Array.from({ length: 100 }, (_, q) => index.queryAsync(at(queries, q), 31)));
      all.forEach((got, q) => expect(sorted(got)).toEqual(sorted(plain.query(at(queries, q), 31))));
      index.rebuild(); // and a batch probed on a base the main thread renumbered since: answered again here
      const batch = index.queryBatchAsync(queries.subarray(0, 100 * 8), 100, 31);
      index.rebuild();
      (await batch).forEach((got, q) => expect(sorted(got)).toEqual(sorted(plain.query(at(queries, q), 31))));
      await index.rebuildInBackground();
      await index.published();
      for (let i = 0; i < 60_000; i += 7) {
        index.remove(i, at(haystack, i));
        plain.remove(i, at(haystack, i));
      }
      await same();
      // A base with bitmaps: its batches are probed query by query on the batch thread, as exactly.
      const withBitmaps = HammingIndex.fromEntries(haystack.subarray(0, 40_000 * 8), ids(40_000), {
        shared: true,
        strategy: 'probe',
        layout: { ...layoutFor(40_000), bitmaps: true },
      });
      expect(withBitmaps.stats().bitmaps).toBe(true);
      withBitmaps.useThreads(threads);
      await withBitmaps.published();
      const plainWithBitmaps = HammingIndex.fromEntries(haystack.subarray(0, 40_000 * 8), ids(40_000), { strategy: 'probe' });
      const answers = await withBitmaps.queryBatchAsync(queries.subarray(0, 100 * 8), 100, 31);
      answers.forEach((got, q) => expect(sorted(got), `bitmaps, batch item ${q}`).toEqual(sorted(plainWithBitmaps.query(at(queries, q), 31))));
      expect(threads.running, threads.lastError).toBe(3); // two for single queries, one for batches
    } finally {
      await threads.close();
    }
  });
});

describe('HammingIndex snapshots of edge cases', () => {
  it.each([false, true])('an empty base with a delta round-trips (shared memory: %s)', async (shared) => {
    const index = new HammingIndex({ shared });
    index.rebuild();
    index.add(5, 'f'.repeat(64));
    const dir = mkdtempSync(join(tmpdir(), 'alliance-empty-'));
    await writeSnapshot(join(dir, 's'), index.toSnapshot('pdq'));
    const restored = HammingIndex.fromSnapshot(await readSnapshot(join(dir, 's')), { shared });
    expect(restored.query('f'.repeat(64), 0)).toEqual([{ id: 5, distance: 0 }]);
    rmSync(dir, { recursive: true, force: true });
  });
});
