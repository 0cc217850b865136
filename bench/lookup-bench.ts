/**
 * bench:lookup — batch lookups against single ones on a real `alliance serve --workers 2` with
 * 1 M PDQ hashes (the generated haystack of bench:match, cached under bench/out/).
 *  1. single lookups alone: GET /m/raw_lookup, 16 connections;
 *  2. a backfill alone: POST /api/v1/lookup/batch, 1,000 hashes a request, 4 connections;
 *  3. both at once: does the backfill stall the single lookups? (their p99 under the backfill).
 * Prints hashes/s, requests/s and p50/p99 per request, each against its target.
 * Then, as the reference in the same run, the backfill alone with the C batch kernel turned off.
 * Usage: npm run bench:lookup [-- --size 1000000] [--seconds 10] [--batch 1000] [--workers 2] [--profile DIR (CPU profiles of the server)]
 *   [--no-reference (skip the JavaScript walk's run)]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { readHashLines } from '../src/index/hash-lines.js';
import { nativeKernel } from '../src/index/native.js';
import { hammingHexOf } from './hex.js';
import { prepare } from './http-bench.js';
import { startServer } from '../test/support/server-process.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const n = Number(flag('--size') ?? 1_000_000);
const seconds = Number(flag('--seconds') ?? 10);
const batch = Number(flag('--batch') ?? 1000);
const workers = Number(flag('--workers') ?? 2);
const queriesN = 10_000;
const shared = join(import.meta.dirname, '..', '..', 'shared', 'bench');
const out = join(import.meta.dirname, 'out');

console.log(
  `bench:lookup  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, ${n.toLocaleString('en')} PDQ hashes, --workers ${workers}`,
);
const dir = join(out, `pdq-${n}-${queriesN}`);
if (!existsSync(join(dir, 'queries.txt'))) {
  mkdirSync(dir, { recursive: true });
  execFileSync('/usr/bin/python3', [join(shared, 'make_hashes.py'), String(n), String(queriesN), dir], { stdio: 'inherit' });
}
const { token } = await prepare(join(out, `lookup-${n}`), dir);
const queries = await readHashLines(join(dir, 'queries.txt'));
const hexes = Array.from({ length: queries.length / 8 }, (_, q) => hammingHexOf(queries, q));
const paths = hexes.map((h) => `/m/raw_lookup?signal_type=pdq&signal=${h}`);
const bodies = Array.from({ length: Math.floor(hexes.length / batch) }, (_, b) =>
  JSON.stringify({ items: hexes.slice(b * batch, (b + 1) * batch).map((signal) => ({ signal_type: 'pdq', signal })) }),
);

const profile = flag('--profile');
const headers = { authorization: `Bearer ${token}` };
let nextPath = 0;
let nextBody = 0;
const line = (what: string, r: autocannon.Result, perRequest = 1) =>
  `  ${what}: ${(r.requests.average * perRequest).toFixed(0)} hashes/s (${r.requests.average.toFixed(0)} requests/s), p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r.errors + r.non2xx} errors`;

/** Runs `measure` against a fresh `alliance serve` over the bench's data dir, with `env` added. */
async function withServer<T>(env: NodeJS.ProcessEnv, measure: (url: string) => Promise<T>): Promise<T> {
  const server = await startServer(
    ['--workers', String(workers)],
    { ALLIANCE_DATA_DIR: join(out, `lookup-${n}`, 'data'), ALLIANCE_LOG_LEVEL: 'warn', ...env },
    900_000,
    profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
  );
  try {
    return await measure(server.url);
  } finally {
    await server.stop('SIGTERM');
  }
}
const singles = (url: string, duration: number) =>
  autocannon({
    url,
    connections: 16,
    duration,
    headers,
    requests: [{ setupRequest: (req) => ({ ...req, path: paths[nextPath++ % paths.length] }) }],
  });
const batches = (url: string, duration: number) =>
  autocannon({
    url,
    connections: 4,
    duration,
    timeout: 60,
    headers: { ...headers, 'content-type': 'application/json' },
    requests: [{ method: 'POST', path: '/api/v1/lookup/batch', setupRequest: (req) => ({ ...req, body: bodies[nextBody++ % bodies.length] }) }],
  });

const kernel = nativeKernel() ? 'the C kernel (native/hamming.c)' : 'the JavaScript walk (the C kernel is not built: node scripts/native.mjs)';
const run = await withServer({}, async (url) => {
  await Promise.all([singles(url, 3), batches(url, 3)]); // warm-up (both paths in every worker)
  const single = await singles(url, seconds);
  const backfill = await batches(url, seconds);
  const [singleUnder, backfillUnder] = await Promise.all([singles(url, seconds), batches(url, seconds)]);
  return { single, backfill, singleUnder, backfillUnder };
});
const { single, backfill, singleUnder, backfillUnder } = run;
console.log(`\n${n.toLocaleString('en')} hashes, ${workers} workers, ${kernel}, autocannon on the same ${cpus().length} cores, ${seconds} s each:`);
console.log(line('single GET /m/raw_lookup alone (16 connections)', single));
console.log(`${line(`POST /api/v1/lookup/batch alone (${batch} a request, 4 connections)`, backfill, batch)}  (target ≥ 20,000 hashes/s)`);
console.log(line('single lookups during the backfill', singleUnder));
console.log(line('backfill during the single lookups', backfillUnder, batch));
console.log(
  `  single lookups' p99 under the backfill: ${singleUnder.latency.p99} ms, ${(singleUnder.latency.p99 / single.latency.p99).toFixed(1)}× their p99 alone; batch ÷ single throughput: ${((backfill.requests.average * batch) / single.requests.average).toFixed(1)}×`,
);
if (nativeKernel() && !args.includes('--no-reference')) {
  // The reference in the same run: the same server with the kernel off (ALLIANCE_NATIVE=0), the
  // JavaScript walk every earlier version used.
  const js = await withServer({ ALLIANCE_NATIVE: '0' }, async (url) => {
    await batches(url, 3);
    return batches(url, seconds);
  });
  console.log(line('reference, the JavaScript walk (ALLIANCE_NATIVE=0): batch alone', js, batch));
  console.log(`  the C kernel ÷ the JavaScript walk, batch alone: ${(backfill.requests.average / js.requests.average).toFixed(2)}×`);
}
