/**
 * bench:decode — the opt-in fast decode (`alliance hash --fast-decode`, triage on seized drives)
 * against the exact path, in the same run:
 *  1. fidelity on ../shared/fixtures/pdq: every fixture the fast path decodes at a reduced size,
 *     its PDQ distance to the exact hash (count, mean, max; target: every image with quality ≥ 80
 *     within 10 bits);
 *  2. speed on large JPEGs (generated from the fixtures, 4000 × 3000 by default), one thread:
 *     files/s exact and fast, and the speed-up (target ≥ 2.5×).
 * Usage: npm run bench:decode [-- --files 20 --width 4000 --height 3000]
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { getSignalType, type HashContext } from '../src/signals/index.js';
import { fastShrink } from '../src/media/image.js';
import { SHARED } from '../test/support/paths.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const files = Number(flag('--files') ?? 20);
const width = Number(flag('--width') ?? 4000);
const height = Number(flag('--height') ?? 3000);
const pdq = getSignalType('pdq');
const exactCtx: HashContext = { maxImagePixels: 1e9 };
const fastCtx: HashContext = { maxImagePixels: 1e9, fastDecode: true };
const bits = (a: string, b: string) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) {
    let x = parseInt(a[i], 16) ^ parseInt(b[i], 16);
    for (; x; x &= x - 1) d++;
  }
  return d;
};

console.log(`bench:decode  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, one thread`);

// 1. Fidelity on the fixtures.
const dir = join(SHARED, 'fixtures', 'pdq', 'images');
const rows = readFileSync(join(SHARED, 'fixtures', 'pdq', 'expected.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1);
const distances: Array<{ file: string; quality: number; d: number }> = [];
for (const row of rows) {
  const file = row.split(',')[0];
  const path = join(dir, file);
  const exact = await pdq.hash!({ path }, exactCtx).catch(() => undefined);
  if (!exact) continue;
  const fast = await pdq.hash!({ path }, fastCtx);
  if (fast.decode !== 'fast') continue;
  distances.push({ file, quality: exact.quality ?? 0, d: bits(exact.value, fast.value) });
}
const good = distances.filter((x) => x.quality >= 80);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
console.log(
  `\nFidelity: ${distances.length} of ${rows.length} fixtures decoded reduced; distance to the exact PDQ: mean ${mean(distances.map((x) => x.d)).toFixed(2)} bits, max ${Math.max(...distances.map((x) => x.d))}`,
);
console.log(
  `  quality ≥ 80: ${good.length} images, mean ${mean(good.map((x) => x.d)).toFixed(2)} bits, max ${Math.max(...good.map((x) => x.d))} (target: all within 10) — ${good.every((x) => x.d <= 10) ? 'met' : 'NOT met'}`,
);
for (const x of distances.sort((a, b) => b.d - a.d).slice(0, 3)) console.log(`  farthest: ${x.file} (quality ${x.quality}) ${x.d} bits`);

// 2. Speed on large JPEGs.
const big = join(import.meta.dirname, 'out', 'decode');
rmSync(big, { recursive: true, force: true });
mkdirSync(big, { recursive: true });
const sources = rows.map((r) => join(dir, r.split(',')[0])).filter((p) => /\.jpe?g$/i.test(p));
const paths: string[] = [];
for (let i = 0; i < files; i++) {
  const path = join(big, `large-${i}.jpg`);
  writeFileSync(
    path,
    await sharp(sources[i % sources.length])
      .resize(width, height, { fit: 'fill' })
      .jpeg({ quality: 90 })
      .toBuffer(),
  );
  paths.push(path);
}
const run = async (ctx: HashContext) => {
  const started = performance.now();
  const values: string[] = [];
  for (const path of paths) values.push((await pdq.hash!({ path, bytes: readFileSync(path) }, ctx)).value);
  return { s: (performance.now() - started) / 1000, values };
};
await run(exactCtx); // warm-up
const exact = await run(exactCtx);
const fast = await run(fastCtx);
const d = exact.values.map((v, i) => bits(v, fast.values[i]));
console.log(
  `\nSpeed: ${files} JPEGs of ${width} × ${height} (decoded at 1/${fastShrink(width, height)}), one thread: exact ${(files / exact.s).toFixed(1)} files/s, fast ${(files / fast.s).toFixed(1)} files/s — ${(exact.s / fast.s).toFixed(2)}× (target ≥ 2.5×); distance mean ${mean(d).toFixed(2)}, max ${Math.max(...d)} bits`,
);
rmSync(big, { recursive: true, force: true });
