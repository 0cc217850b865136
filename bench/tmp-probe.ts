import { readFileSync } from 'node:fs';
import { HammingIndex } from '../src/index/hamming-index.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { makeHashesLike } from './gen-hashes.js';
const kind = process.argv[2];
let hay: Uint32Array, q: Uint32Array;
if (kind === 'py') { hay = await readHashLines('bench/out/pdq-10000000-1000/haystack.txt'); q = await readHashLines('bench/out/pdq-10000000-1000/queries.txt'); }
else { const s = makeHashesLike(10_000_000, 1000); hay = s.hay; q = s.queries; }
const n = hay.length / 8;
const index = HammingIndex.fromEntries(hay, Uint32Array.from({ length: n }, (_, i) => i));
const runs: number[] = []; let matches = 0;
for (let pass = 0; pass < 4; pass++) {
  const t = performance.now(); matches = 0;
  for (let i = 0; i < q.length / 8; i++) matches += index.query(q.subarray(i * 8, i * 8 + 8), 31).length;
  runs.push((performance.now() - t) / (q.length / 8));
}
const huge = /AnonHugePages:\s+(\d+)/.exec(readFileSync('/proc/self/smaps_rollup', 'utf8'))?.[1];
console.log(kind, runs.map((r) => r.toFixed(3)).join(' '), matches, 'hugeMB', Number(huge) / 1024);
