/**
 * bench:triage — `alliance triage` on a generated folder of N images (default 10,000: the shared
 * fixture images re-encoded, resized, and fresh generated images), against `alliance hash` of the
 * same folder with the same signal types (pdq, md5, sha1) in the same run: triage must keep at
 * least 80 % of the hashing throughput (matching, classifying and writing the reports included).
 * Usage: npm run bench:triage [-- --n 10000 --jobs 2]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { loadConfig } from '../src/config/config.js';
import { openNode } from '../src/node/node.js';
import { getSignalType } from '../src/signals/registry.js';
import { CLI, PDQ_IMAGES } from '../test/support/paths.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const N = Number(flag('--n') ?? 10_000);
const JOBS = Number(flag('--jobs') ?? availableParallelism());
const out = join(import.meta.dirname, 'out', `triage-${N}`);
const folder = join(out, 'images');

function fixtures(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? fixtures(join(dir, e.name)) : /\.(jpe?g|png)$/i.test(e.name) ? [join(dir, e.name)] : [],
  );
}

const sources = fixtures(PDQ_IMAGES).filter((f) => statSync(f).size < 2_000_000);
const bufs = await Promise.all(sources.map((s) => sharp(s).resize(640, 640, { fit: 'inside' }).jpeg({ quality: 85 }).toBuffer()));
const KNOWN = Math.ceil(bufs.length / 2);
if (!existsSync(join(out, 'ready'))) {
  rmSync(out, { recursive: true, force: true });
  console.log(`generating ${N.toLocaleString('en')} images from ${sources.length} fixtures…`);
  for (let i = 0; i < N; i++) {
    const dir = join(folder, `d${String(Math.floor(i / 500)).padStart(3, '0')}`);
    if (i % 500 === 0) mkdirSync(dir, { recursive: true });
    const src = bufs[i % bufs.length];
    const kind = i % 3;
    if (kind === 0)
      await sharp(src)
        .jpeg({ quality: 50 + (i % 40) })
        .toFile(join(dir, `${i}.jpg`)); // re-encoded
    else if (kind === 1)
      await sharp(src)
        .resize(200 + (i % 300))
        .png()
        .toFile(join(dir, `${i}.png`)); // resized
    else {
      const noise = Buffer.alloc(128 * 128 * 3);
      for (let p = 0; p < noise.length; p++) noise[p] = (Math.imul(p + 1, i * 2654435761 + 1) >>> 24) & 255;
      await sharp(noise, { raw: { width: 128, height: 128, channels: 3 } })
        .jpeg({ quality: 80 })
        .toFile(join(dir, `${i}.jpg`)); // fresh
    }
  }
  // Banks built from part of the fixtures: the first half of them are known.
  const node = await openNode(loadConfig({ dataDir: join(out, 'data'), logLevel: 'silent' }, {}));
  const actor = await node.operator();
  await node.banks.createBank(actor, { name: 'KNOWN' });
  const { hashFile } = await import('../src/hasher/hash-file.js');
  mkdirSync(join(out, 'known'), { recursive: true });
  for (const [k, b] of bufs.slice(0, KNOWN).entries()) {
    const path = join(out, 'known', `${k}.jpg`);
    (await import('node:fs')).writeFileSync(path, b);
    const r = await hashFile(
      { path, size: b.length },
      { types: ['pdq'], maxImagePixels: 1e8, maxInMemoryBytes: 1 << 28, autoOrient: false, secondsPerHash: 1, dihedral: false },
    );
    if (r.signals.pdq)
      await node.banks.addContent(actor, 'KNOWN', { signals: [{ signal_type: 'pdq', value: r.signals.pdq.value }], classification: 'industry:A1' });
  }
  await node.close();
  (await import('node:fs')).writeFileSync(join(out, 'ready'), '');
}

function timed(argv: string[]): { seconds: number; stdout: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', env: { ...process.env, CI: '1' }, maxBuffer: 1 << 28 });
  if (r.status !== 0 && r.status !== 1) throw new Error(`alliance ${argv[0]} failed: ${r.stderr}`);
  return { seconds: (performance.now() - t) / 1000, stdout: r.stdout };
}

const hash = timed(['hash', folder, '--types', 'pdq,md5,sha1', '--format', 'jsonl', '--out', '/dev/null', '--jobs', String(JOBS), '--no-progress']);
rmSync(join(out, 'triage-out'), { recursive: true, force: true });
const triage = timed(['triage', folder, '--out', join(out, 'triage-out'), '--jobs', String(JOBS), '--no-progress', '--data', join(out, 'data')]);
const rate = (s: number) => N / s;
console.log(
  `\nbench:triage — ${N.toLocaleString('en')} images (re-encoded, resized, fresh), ${JOBS} worker threads, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}`,
);
console.log(
  `  alliance hash   (pdq, md5, sha1)      ${hash.seconds.toFixed(1).padStart(6)} s  ${rate(hash.seconds).toFixed(1).padStart(7)} files/s (reference)`,
);
console.log(`  alliance triage (hash, match, report) ${triage.seconds.toFixed(1).padStart(6)} s  ${rate(triage.seconds).toFixed(1).padStart(7)} files/s`);
console.log(`  ${triage.stdout.split('\n')[0]}`);
console.log(`  triage / hash: ${(hash.seconds / triage.seconds).toFixed(2)} of the hashing throughput (target ≥ 0.80)`);

// Correctness: a copy (re-encoded or resized) of a fixture is known when that fixture's PDQ is within
// the match threshold of a banked one (the fixtures include near-duplicate variants of one image);
// a fresh image is new. Files whose source sits near the threshold may legitimately go either way.
const { hashFile: hashOne } = await import('../src/hasher/hash-file.js');
const pdq = getSignalType('pdq');
const sourcePdq: string[] = [];
for (const [k, b] of bufs.entries()) {
  const path = join(out, `source-${k}.jpg`);
  writeFileSync(path, b);
  const r = await hashOne(
    { path, size: b.length },
    { types: ['pdq'], maxImagePixels: 1e8, maxInMemoryBytes: 1 << 28, autoOrient: false, secondsPerHash: 1, dihedral: false },
  );
  sourcePdq.push(r.signals.pdq?.value ?? '');
  rmSync(path);
}
const nearest = sourcePdq.map((h) => Math.min(...sourcePdq.slice(0, KNOWN).map((k) => pdq.compare(h, k).distance)));
let right = 0;
let borderline = 0;
const wrong: string[] = [];
for (const line of readFileSync(join(out, 'triage-out', 'triage.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)) {
  const [path, cls] = line.split(',');
  const i = Number(/(\d+)\.\w+$/.exec(path)?.[1]);
  const expected = i % 3 === 2 ? 'new' : nearest[i % bufs.length] <= pdq.defaultThreshold ? 'known' : 'new';
  if (cls === expected) right++;
  else if (i % 3 !== 2 && Math.abs(nearest[i % bufs.length] - pdq.defaultThreshold) <= 8) borderline++;
  else wrong.push(`${path}: ${cls}, expected ${expected}`);
}
console.log(
  `  classification: ${right} of ${N} as expected, ${borderline} within 8 bits of the threshold the other way, ${wrong.length} wrong${wrong.length ? ` (${wrong.slice(0, 5).join('; ')})` : ''}`,
);
