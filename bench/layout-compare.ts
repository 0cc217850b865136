/**
 * The PDQ index at one size under other chunk layouts than layoutFor's, on the same data in the
 * same run: what a layout choice costs in memory and buys in time (issue 19's trade-off between
 * 80 bytes a hash and batch lookups at 1 M). Data: bench:match's generated haystack and queries
 * under bench/out/pdq-N-10000 (made by bench:lookup or bench:match --sizes N).
 * Usage: node --import tsx bench/layout-compare.ts [--size 1000000] [--queries 2000]
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { layoutFor, type ChunkLayout } from '../src/index/chunks.js';
import { HammingIndex } from '../src/index/hamming-index.js';
import { probeCounters } from '../src/index/hamming-probe.js';
import { readHashLines } from '../src/index/hash-lines.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const size = Number(flag('--size') ?? 1_000_000);
const dir = join(import.meta.dirname, 'out', `pdq-${size}-10000`);
const hay = await readHashLines(join(dir, 'haystack.txt'));
const queries = await readHashLines(join(dir, 'queries.txt'));
const n = hay.length / 8;
const nq = Math.min(Number(flag('--queries') ?? 2000), queries.length / 8);
const chosen = layoutFor(n);
const layouts: Record<string, ChunkLayout> = {
  [`layoutFor (key ${chosen.keyBits} bits${chosen.bitmaps ? ', bitmaps' : ''})`]: chosen,
  [`key ${chosen.keyBits} bits, bitmaps ${chosen.bitmaps ? 'off' : 'on'}`]: { ...chosen, bitmaps: !chosen.bitmaps },
  [`key ${chosen.keyBits - 1} bits`]: { ...chosen, keyBits: chosen.keyBits - 1 },
  [`key ${chosen.keyBits + 1} bits`]: { ...chosen, keyBits: chosen.keyBits + 1 },
};
console.log(
  `layout-compare  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${n.toLocaleString('en')} hashes, ${nq} queries at threshold 31, one thread`,
);
let reference: number | undefined;
for (const [name, layout] of Object.entries(layouts)) {
  const index = HammingIndex.fromEntries(
    hay,
    Uint32Array.from({ length: n }, (_, i) => i),
    { layout },
  );
  const runs: number[] = [];
  let matches = 0;
  for (let r = 0; r < 4; r++) {
    matches = 0;
    const t = performance.now();
    for (let q = 0; q < nq; q++) matches += index.query(queries.subarray(q * 8, q * 8 + 8), 31).length;
    runs.push((performance.now() - t) / nq);
  }
  const work = { buckets: 0, entries: 0, candidates: 0 };
  for (let q = 0; q < nq; q++) {
    index.query(queries.subarray(q * 8, q * 8 + 8), 31);
    for (const k of Object.keys(work) as Array<keyof typeof work>) work[k] += probeCounters[k] / nq;
  }
  const best = Math.min(...runs);
  reference ??= best;
  console.log(
    `  ${name.padEnd(28)} ${best.toFixed(3)} ms/query (${(reference / best).toFixed(2)}× layoutFor's), ${(index.stats().bytes / n).toFixed(1)} B/hash, ` +
      `${matches} matches; a query reads ${work.buckets.toFixed(0)} buckets, ${work.entries.toFixed(0)} entries, ${work.candidates.toFixed(0)} candidates`,
  );
}
