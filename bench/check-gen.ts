/**
 * Checks that bench/gen-hashes.ts's makeHashesLike draws from the same distribution as
 * ../shared/bench/make_hashes.py, at 100 k hashes and 1,000 queries (the Python output cached under
 * bench/out/ like bench:match's): bit balance, distances between random pairs, each entry's
 * distance to its nearest other entry (the near-variant structure), each query's distance to its
 * nearest entry and the matches at threshold 31. Prints the two side by side.
 * Usage: node --import tsx bench/check-gen.ts [--n 100000]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { HammingIndex } from '../src/index/hamming-index.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { hammingPacked } from '../src/signals/pdq/hash256.js';
import { makeHashesLike, rng } from './gen-hashes.js';

const args = process.argv.slice(2);
const n = Number(args.includes('--n') ? args[args.indexOf('--n') + 1] : 100_000);
const qn = 1000;
const dir = join(import.meta.dirname, 'out', `pdq-${n}-${qn}`);
if (!existsSync(join(dir, 'queries.txt'))) {
  mkdirSync(dir, { recursive: true });
  execFileSync('/usr/bin/python3', [join(import.meta.dirname, '..', '..', 'shared', 'bench', 'make_hashes.py'), String(n), String(qn), dir], {
    stdio: 'inherit',
  });
}
const python = { hay: await readHashLines(join(dir, 'haystack.txt')), queries: await readHashLines(join(dir, 'queries.txt')) };
const t = performance.now();
const ours = makeHashesLike(n, qn);
const genS = (performance.now() - t) / 1000;

const BUCKETS = [0, 8, 16, 24, 32, 48];
const label = (i: number) => (i === BUCKETS.length ? `>${BUCKETS.at(-1)}` : i === 0 ? '0' : `${BUCKETS[i - 1] + 1}–${BUCKETS[i]}`);
const bucketOf = (d: number) => {
  const i = BUCKETS.findIndex((b) => d <= b);
  return i < 0 ? BUCKETS.length : i;
};

function stats(set: { hay: Uint32Array; queries: Uint32Array }) {
  const count = set.hay.length / 8;
  const r = rng(7);
  const ones = new Float64Array(256);
  for (let i = 0; i < count; i++) for (let b = 0; b < 256; b++) ones[b] += (set.hay[i * 8 + (b >>> 5)] >>> (31 - (b & 31))) & 1;
  const balance = [...ones].map((x) => x / count);
  let sum = 0;
  let sq = 0;
  const pairs = 20_000;
  for (let k = 0; k < pairs; k++) {
    const d = hammingPacked(set.hay, set.hay, (r() % count) * 8, (r() % count) * 8);
    sum += d;
    sq += d * d;
  }
  const index = HammingIndex.fromEntries(
    set.hay,
    Uint32Array.from({ length: count }, (_, i) => i),
  );
  const nearest = new Array<number>(BUCKETS.length + 1).fill(0);
  const sample = 3000;
  for (let k = 0; k < sample; k++) {
    const i = r() % count;
    const others = index.query(set.hay.subarray(i * 8, i * 8 + 8), 48).filter((m) => m.id !== i);
    nearest[bucketOf(others.length ? Math.min(...others.map((m) => m.distance)) : 999)]++;
  }
  const queryNearest = new Array<number>(BUCKETS.length + 1).fill(0);
  let matches31 = 0;
  for (let k = 0; k < set.queries.length / 8; k++) {
    const q = set.queries.subarray(k * 8, k * 8 + 8);
    const ms = index.query(q, 48);
    matches31 += ms.filter((m) => m.distance <= 31).length;
    queryNearest[bucketOf(ms.length ? Math.min(...ms.map((m) => m.distance)) : 999)]++;
  }
  return {
    'bit balance (share of ones: mean, min, max over the 256 bits)': `${mean(balance).toFixed(4)}, ${Math.min(...balance).toFixed(4)}, ${Math.max(...balance).toFixed(4)}`,
    'random pairs: mean distance ± sd': `${(sum / pairs).toFixed(2)} ± ${Math.sqrt(sq / pairs - (sum / pairs) ** 2).toFixed(2)}`,
    [`entries' nearest other entry (${sample} sampled): ${BUCKETS.map((_, i) => label(i)).join(' / ')} / ${label(BUCKETS.length)} bits`]: nearest
      .map((x) => `${((100 * x) / sample).toFixed(1)}%`)
      .join(' / '),
    [`queries' nearest entry: same buckets`]: queryNearest.map((x) => `${((100 * x) / qn).toFixed(1)}%`).join(' / '),
    'matches at threshold 31 (1,000 queries)': String(matches31),
  };
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

const a = stats(python);
const b = stats(ours);
console.log(`check-gen: ${n.toLocaleString('en')} hashes, ${qn} queries; makeHashesLike generated them in ${genS.toFixed(2)} s`);
for (const k of Object.keys(a)) console.log(`  ${k}\n    make_hashes.py: ${a[k]}\n    gen-hashes.ts:  ${b[k]}`);
