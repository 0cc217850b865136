/**
 * bench:match — the PDQ match index against the peer's matcher (FAISS IndexBinaryMultiHash, as
 * HMA uses it), on the same generated files, in the same run.
 * Usage: npm run bench:match [-- --sizes 1000000,10000000] [--queries 1000] [--http 1000000x1,10000000x2] [--cold-restart]
 * For each size: generate the haystack and queries with ../shared/bench/make_hashes.py (cached
 * under bench/out/), build the index, report build time, bytes per hash, ms/query at threshold 31
 * on one thread and the match count; snapshot and restart; then run ../shared/bench/faiss_match.py
 * when /usr/bin/python3 has faiss, and print the ratio. Each size also runs, on the same data in the
 * same run, the previous version of the probe (bench/match-previous.ts) and brute force (on the
 * first --brute-queries queries, 20 by default) and the index's linear scan (--scan-queries, 100),
 * and prints the probe's work per query and its slowest query.
 * After those, the same on a clustered bank (bench/gen-hashes.ts: video frames, re-encodes, a long
 * still shot) at --clustered SIZES (1000000 by default; 0 skips it). Then the HTTP path
 * (bench/http-bench.ts): GET /m/raw_lookup on a real `alliance serve` at the smallest size (one
 * process) and at 10 M (`--workers 2`); the bank is imported into a data directory under bench/out
 * once (10 M: about 5 minutes here), later runs start from its snapshot.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { bruteForce, HammingIndex } from '../src/index/hamming-index.js';
import { probeCounters, scanSlots } from '../src/index/hamming-probe.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { readSnapshot, writeSnapshot } from '../src/index/snapshot.js';
import { nativeKernel, useNativeKernel } from '../src/index/native.js';
import { hugePageBytes, transparentHugePageMode } from '../src/index/huge-pages.js';
import { httpBench } from './http-bench.js';
import { clusteredSet, makeHashesLike, writeHashLines } from './gen-hashes.js';
import { previousIndex, previousProbe } from './match-previous.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const sizes = (flag('--sizes') ?? '1000000,10000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const queriesN = Number(flag('--queries') ?? 1000);
const bruteQueries = Number(flag('--brute-queries') ?? 20);
const scanQueries = Number(flag('--scan-queries') ?? 100);
const clusteredSizes = (flag('--clustered') ?? '1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const shared = join(import.meta.dirname, '..', '..', 'shared', 'bench');
const out = join(import.meta.dirname, 'out');
const THRESHOLD = 31;

const hasFaiss = spawnSync('/usr/bin/python3', ['-c', 'import faiss'], { stdio: 'ignore' }).status === 0;
console.log(
  `bench:match  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, threshold ${THRESHOLD}, one thread`,
);
if (!hasFaiss) console.log('(FAISS not found: apt-get install python3-faiss to get the reference ratio)');
console.log(
  `memory pages: GLIBC_TUNABLES=${process.env.GLIBC_TUNABLES ?? '(unset)'}, transparent huge pages ${transparentHugePageMode() ?? 'unavailable'} — the npm script asks for huge pages (docs/deploy.md); run node directly without it to see 4 KiB pages`,
);

const rows: string[] = [];

/**
 * Sizes from here on are generated in memory by makeHashesLike (make_hashes.py's distribution, see
 * bench/check-gen.ts; the Python generator and text files are too slow there) and run without the
 * previous version, FAISS or brute force (each would need the memory of another index): build time
 * (the index adopts the generated arrays: one copy of the hashes), bytes per hash, peak and
 * resident memory, ms/query, exactness against the index's linear scan on the first
 * --scan-queries queries (3 by default here), then a snapshot written, the index dropped, and a
 * restart from it (the same queries, the same matches).
 */
const LARGE = 20_000_000;
/** Empties the kernel's page cache (root only); whether it could. */
function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}

/** A full collection, then time for V8's background sweeper to hand freed array buffers back. */
const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 1000));
};
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

async function benchLarge(n: number): Promise<void> {
  let t = performance.now();
  let set: { hay: Uint32Array; queries: Uint32Array } | undefined = makeHashesLike(n, queriesN);
  const queries = set.queries;
  const genS = (performance.now() - t) / 1000;
  t = performance.now();
  let index: HammingIndex | undefined = HammingIndex.fromEntries(
    set.hay,
    Uint32Array.from({ length: n }, (_, i) => i),
    { adopt: true },
  );
  const buildS = (performance.now() - t) / 1000;
  set = undefined; // its haystack is the index's now
  await settle();
  const peakBytes = process.resourceUsage().maxRSS * 1024;
  const rssBytes = process.memoryUsage().rss;
  const stats = index.stats();
  const nq = queries.length / 8;
  const measure = (ix: HammingIndex) => {
    const runs: number[] = [];
    let matches = 0;
    for (let r = 0; r < 3; r++) {
      matches = 0;
      const start = performance.now();
      for (let q = 0; q < nq; q++) matches += ix.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;
      runs.push((performance.now() - start) / nq);
    }
    return { runs, matches, best: Math.min(...runs) };
  };
  const built = measure(index);
  const work = { probes: 0, buckets: 0, entries: 0, candidates: 0 };
  for (let q = 0; q < nq; q++) {
    index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD);
    for (const k of Object.keys(work) as Array<keyof typeof work>) work[k] += probeCounters[k] / nq;
  }
  const ns = Math.min(Number(flag('--scan-queries') ?? 3), nq);
  let scanMatches = 0;
  let probeMatches = 0;
  t = performance.now();
  for (let q = 0; q < ns; q++) scanSlots(index.view(), queries.subarray(q * 8, q * 8 + 8), THRESHOLD, 0, n, () => scanMatches++);
  const scanMs = (performance.now() - t) / ns;
  for (let q = 0; q < ns; q++) probeMatches += index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;
  // Snapshot, drop the index, restart from the file as a server does (read, adopted: one copy).
  const dir = join(out, `large-${n}`);
  mkdirSync(dir, { recursive: true });
  const snapFile = join(dir, 'pdq.snapshot');
  t = performance.now();
  await writeSnapshot(snapFile, index.toSnapshot('pdq'));
  const snapWriteS = (performance.now() - t) / 1000;
  index = undefined;
  await settle();
  // --cold-restart (root): the page cache is dropped first, so the snapshot comes from the disk.
  const cold = args.includes('--cold-restart') && dropPageCache();
  t = performance.now();
  const restored = HammingIndex.fromSnapshot(await readSnapshot(snapFile), { adopt: true });
  const restartS = (performance.now() - t) / 1000;
  const snapGb = statSync(snapFile).size / 2 ** 30;
  rmSync(dir, { recursive: true, force: true });
  const again = measure(restored);
  const restoredRss = process.memoryUsage().rss;
  console.log(
    `\nmakeHashesLike n = ${n.toLocaleString('en')}: generated in ${genS.toFixed(1)} s, build ${buildS.toFixed(1)} s (target ≤ 300 s), ${(stats.bytes / n).toFixed(1)} bytes/hash (chunks ${stats.chunks.length}×${stats.chunks[0]}–${stats.chunks.at(-1)} bits, key ${stats.keyBits} bits, ${stats.bitmaps ? 'bitmaps' : 'no bitmaps'})`,
  );
  console.log(
    `  memory: index ${(stats.bytes / 1e9).toFixed(2)} GB; process resident ${(rssBytes / 1e9).toFixed(2)} GB after the build (target ≤ 8 GB), peak ${(peakBytes / 1e9).toFixed(2)} GB (generation and build); after the restart ${(restoredRss / 1e9).toFixed(2)} GB; ${gib(hugePageBytes() ?? 0)} GiB on huge pages`,
  );
  console.log(`  query: ${built.best.toFixed(3)} ms/query (target ≤ 8), ${built.matches} matches; runs ${built.runs.map((r) => r.toFixed(3)).join(', ')} ms`);
  console.log(
    `  work per query: ${work.probes.toFixed(0)} probe values or keys, ${work.buckets.toFixed(0)} buckets read, ${work.entries.toFixed(0)} entries filtered, ${work.candidates.toFixed(0)} candidates verified`,
  );
  console.log(
    `  linear scan (first ${ns} queries): ${scanMs.toFixed(0)} ms/query, ${scanMatches} matches${scanMatches === probeMatches ? ' (identical)' : ' (DIFFERENT!)'}; the index ${(scanMs / built.best).toFixed(0)}× faster`,
  );
  console.log(
    `  snapshot: ${snapGb.toFixed(1)} GiB written in ${snapWriteS.toFixed(1)} s; restart ready to match in ${restartS.toFixed(1)} s (target ≤ 60 s; ${cold ? 'page cache dropped first: read from the disk' : 'the file was just written, so mostly read from the page cache; --cold-restart drops it first'}); then ${again.best.toFixed(3)} ms/query, ${again.matches} matches${again.matches === built.matches ? ' (identical)' : ' (DIFFERENT!)'}`,
  );
  rows.push(
    `| makeHashesLike ${n.toLocaleString('en')} | ${buildS.toFixed(1)} s | ${(stats.bytes / n).toFixed(0)} | ${built.best.toFixed(3)} | n/a | n/a | ${restartS.toFixed(1)} s |`,
  );
}

/** The generated files of `kind` at size n (cached under bench/out/): make_hashes.py's, or the clustered set. */
async function dataDir(kind: 'pdq' | 'clustered', n: number): Promise<string> {
  const dir = join(out, `${kind}-${n}-${queriesN}`);
  if (!existsSync(join(dir, 'queries.txt'))) {
    mkdirSync(dir, { recursive: true });
    if (kind === 'pdq') execFileSync('/usr/bin/python3', [join(shared, 'make_hashes.py'), String(n), String(queriesN), dir], { stdio: 'inherit' });
    else {
      const set = clusteredSet(n, queriesN);
      await writeHashLines(join(dir, 'haystack.txt'), set.hay);
      await writeHashLines(join(dir, 'queries.txt'), set.queries);
    }
  }
  return dir;
}

async function benchSet(kind: 'pdq' | 'clustered', n: number): Promise<void> {
  const dir = await dataDir(kind, n);
  const label = kind === 'pdq' ? 'make_hashes.py' : 'clustered';
  let t = performance.now();
  const haystack = await readHashLines(join(dir, 'haystack.txt'));
  const queries = await readHashLines(join(dir, 'queries.txt'));
  const parseS = (performance.now() - t) / 1000;

  t = performance.now();
  const ids = Uint32Array.from({ length: n }, (_, i) => i);
  const index = HammingIndex.fromEntries(haystack, ids);
  const buildS = (performance.now() - t) / 1000;
  const stats = index.stats();

  const query = () => {
    let matches = 0;
    let worst = 0;
    const start = performance.now();
    for (let q = 0; q < queries.length / 8; q++) {
      const t0 = performance.now();
      matches += index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;
      worst = Math.max(worst, performance.now() - t0);
    }
    return { ms: (performance.now() - start) / (queries.length / 8), matches, worst };
  };
  const previous = previousIndex(haystack);
  const queryPrevious = () => {
    let matches = 0;
    const start = performance.now();
    for (let q = 0; q < queries.length / 8; q++) previousProbe(previous.view, queries.subarray(q * 8, q * 8 + 8), THRESHOLD, () => matches++);
    return { ms: (performance.now() - start) / (queries.length / 8), matches };
  };
  query(); // warm-up
  queryPrevious();
  // Interleaved, so that load from elsewhere on the machine hits both alike.
  const runs: Array<{ ms: number; matches: number; worst: number }> = [];
  const previousRuns: Array<{ ms: number; matches: number }> = [];
  for (let r = 0; r < 3; r++) {
    runs.push(query());
    previousRuns.push(queryPrevious());
  }
  const best = runs.reduce((a, b) => (b.ms < a.ms ? b : a));
  // The reference for the C kernel's single probes in the same run: the JavaScript phases (ALLIANCE_NATIVE=0).
  const kernel = nativeKernel() !== undefined;
  useNativeKernel(false);
  const jsSingle = kernel ? [query(), query()].reduce((a, b) => (b.ms < a.ms ? b : a)) : undefined;
  useNativeKernel(true);
  // The same queries as batches of 1,000 (batch lookups; hamming-batch.ts), against the single queries above.
  const queryBatches = () => {
    let matches = 0;
    const nq = queries.length / 8;
    const start = performance.now();
    for (let q = 0; q < nq; q += 1000) {
      const size = Math.min(1000, nq - q);
      for (const answer of index.queryBatch(queries.subarray(q * 8, (q + size) * 8), size, THRESHOLD)) matches += answer.length;
    }
    return { ms: (performance.now() - start) / nq, matches };
  };
  const batchRuns = [queryBatches(), queryBatches(), queryBatches()];
  const bestBatch = batchRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  // The reference for the C kernel in the same run: the JavaScript walk (ALLIANCE_NATIVE=0).
  useNativeKernel(false);
  const jsBatch = kernel && !index.stats().bitmaps ? [queryBatches(), queryBatches()].reduce((a, b) => (b.ms < a.ms ? b : a)) : undefined;
  useNativeKernel(true);
  const bestPrevious = previousRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  const work = { probes: 0, buckets: 0, entries: 0, candidates: 0 };
  for (let q = 0; q < queries.length / 8; q++) {
    index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD);
    for (const k of Object.keys(work) as Array<keyof typeof work>) work[k] += probeCounters[k] / (queries.length / 8);
  }
  const nb = Math.min(bruteQueries, queries.length / 8);
  t = performance.now();
  let bruteMatches = 0;
  let ownMatches = 0;
  for (let q = 0; q < nb; q++) {
    bruteMatches += bruteForce(haystack, queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;
    ownMatches += index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;
  }
  const bruteMs = (performance.now() - t) / nb - best.ms;
  // The index's own linear scan (every slot compared on packed words): what a probe must never be slower than.
  const ns = Math.min(scanQueries, queries.length / 8);
  let scanMatches = 0;
  let probeMatches = 0;
  t = performance.now();
  for (let q = 0; q < ns; q++) scanSlots(index.view(), queries.subarray(q * 8, q * 8 + 8), THRESHOLD, 0, n, () => scanMatches++);
  const scanMs = (performance.now() - t) / ns;
  for (let q = 0; q < ns; q++) probeMatches += index.query(queries.subarray(q * 8, q * 8 + 8), THRESHOLD).length;

  const snapFile = join(dir, 'pdq.snapshot');
  t = performance.now();
  await writeSnapshot(snapFile, index.toSnapshot('pdq'));
  const snapWriteS = (performance.now() - t) / 1000;
  t = performance.now();
  const restored = HammingIndex.fromSnapshot(await readSnapshot(snapFile));
  const restartS = (performance.now() - t) / 1000;
  const check = restored.query(queries.subarray(0, 8), THRESHOLD).length === index.query(queries.subarray(0, 8), THRESHOLD).length;
  const snapMb = statSync(snapFile).size / 1048576;
  rmSync(snapFile);

  console.log(
    `\n${label} n = ${n.toLocaleString('en')}: parse ${parseS.toFixed(1)} s, build ${buildS.toFixed(1)} s, ${(stats.bytes / n).toFixed(1)} bytes/hash (chunks ${stats.chunks.length}×${stats.chunks[0]}–${stats.chunks.at(-1)} bits, key ${stats.keyBits} bits, ${stats.bitmaps ? 'bitmaps' : 'no bitmaps'})`,
  );
  console.log(
    `  query: ${best.ms.toFixed(3)} ms/query (${(1000 / best.ms).toFixed(0)} qps), ${best.matches} matches; runs ${runs.map((r) => r.ms.toFixed(3)).join(', ')} ms; slowest query ${best.worst.toFixed(2)} ms`,
  );
  console.log(
    `  work per query: ${work.probes.toFixed(0)} probe values or keys, ${work.buckets.toFixed(0)} buckets read, ${work.entries.toFixed(0)} entries filtered, ${work.candidates.toFixed(0)} candidates verified`,
  );
  if (jsSingle)
    console.log(
      `  single queries with the C kernel (native/hamming.c) ÷ the JavaScript phases: ${(jsSingle.ms / best.ms).toFixed(2)}× (${jsSingle.ms.toFixed(3)} ms/query, ${jsSingle.matches} matches${jsSingle.matches === best.matches ? ', identical' : ', DIFFERENT!'})`,
    );
  console.log(
    `  previous version (bench/match-previous.ts): ${bestPrevious.ms.toFixed(3)} ms/query, ${bestPrevious.matches} matches${bestPrevious.matches === best.matches ? ' (identical)' : ' (DIFFERENT!)'}, ${(previous.bytes / n).toFixed(1)} bytes/hash; runs ${previousRuns.map((r) => r.ms.toFixed(3)).join(', ')} ms; now ${(bestPrevious.ms / best.ms).toFixed(1)}× its speed`,
  );
  console.log(
    `  batches of 1,000 (queryBatch${index.stats().bitmaps ? '; a base with bitmaps is probed query by query' : ''}): ${bestBatch.ms.toFixed(3)} ms/query, ${bestBatch.matches} matches${bestBatch.matches === best.matches ? ' (identical)' : ' (DIFFERENT!)'}; runs ${batchRuns.map((r) => r.ms.toFixed(3)).join(', ')} ms; ${(best.ms / bestBatch.ms).toFixed(2)}× the single queries' speed${kernel ? '' : ' (the JavaScript walk: the C kernel is not built)'}`,
  );
  if (jsBatch)
    console.log(
      `  batches with the C kernel (native/hamming.c) ÷ the JavaScript walk: ${(jsBatch.ms / bestBatch.ms).toFixed(2)}× (${jsBatch.ms.toFixed(3)} ms/query, ${jsBatch.matches} matches${jsBatch.matches === bestBatch.matches ? ', identical' : ', DIFFERENT!'})`,
    );
  console.log(
    `  brute force (first ${nb} queries): ${bruteMs.toFixed(2)} ms/query, ${bruteMatches} matches${bruteMatches === ownMatches ? ' (identical)' : ' (DIFFERENT!)'} = ${(bruteMs / best.ms).toFixed(0)}× faster`,
  );
  console.log(
    `  linear scan (first ${ns} queries): ${scanMs.toFixed(2)} ms/query, ${scanMatches} matches${scanMatches === probeMatches ? ' (identical)' : ' (DIFFERENT!)'}; the index ${(scanMs / best.ms).toFixed(0)}× faster on average, its slowest query ${(scanMs / best.worst).toFixed(1)}× faster than a scan`,
  );
  console.log(
    `  snapshot: ${snapMb.toFixed(0)} MB written in ${snapWriteS.toFixed(1)} s; restart ready to match in ${restartS.toFixed(1)} s${check ? '' : ' (MISMATCH after restart!)'}`,
  );
  let ratio = '';
  if (hasFaiss) {
    const r = spawnSync('/usr/bin/python3', [join(shared, 'faiss_match.py'), dir, '--threshold', String(THRESHOLD)], { encoding: 'utf8' });
    if (r.status === 0) {
      const f = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { ms_per_query: number; build_s: number; matches: number };
      ratio = `${(f.ms_per_query / best.ms).toFixed(1)}× faster`;
      console.log(
        `  FAISS IndexBinaryMultiHash: build ${f.build_s.toFixed(1)} s, ${f.ms_per_query.toFixed(3)} ms/query, ${f.matches} matches${f.matches === best.matches ? ' (identical)' : ' (DIFFERENT!)'}`,
      );
      console.log(`  ratio: Alliance ${best.ms.toFixed(3)} ms vs FAISS ${f.ms_per_query.toFixed(3)} ms = ${ratio} (target ≥ 2×)`);
    } else console.log(`  FAISS failed: ${r.stderr.trim().split('\n').at(-1)}`);
  }
  rows.push(
    `| ${label} ${n.toLocaleString('en')} | ${buildS.toFixed(1)} s | ${(stats.bytes / n).toFixed(0)} (was ${(previous.bytes / n).toFixed(0)}) | ${best.ms.toFixed(3)} (was ${bestPrevious.ms.toFixed(3)}) | ${ratio || 'n/a'} | ${bruteMs.toFixed(1)} | ${restartS.toFixed(1)} s |`,
  );
}
for (const n of sizes) await (n >= LARGE ? benchLarge(n) : benchSet('pdq', n));
for (const n of clusteredSizes) await benchSet('clustered', n);
console.log('\n| hashes | build | bytes/hash | ms/query | vs FAISS | brute force ms | restart |\n|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

// The HTTP lookup path: the smallest size on one process, and 10 M (when measured) on --workers 2
// (--http 1000000x1,10000000x2 chooses: size x worker processes; --http-size N is Nx1; --no-http skips).
if (!args.includes('--no-http')) {
  const lines = (
    flag('--http') ?? (flag('--http-size') ? `${flag('--http-size')}x1` : `${Math.min(...sizes)}x1${sizes.includes(10_000_000) ? ',10000000x2' : ''}`)
  )
    .split(',')
    .map((l) => l.split('x').map(Number) as [number, number]);
  const bad = lines.find(([n, workers = 1]) => !Number.isInteger(n) || n <= 0 || !Number.isInteger(workers) || workers <= 0);
  if (bad) throw new Error(`--http takes SIZExWORKERS[,…] (e.g. 1000000x1,10000000x2), or --no-http to skip it; got ${flag('--http')}`);
  for (const [n, workers = 1] of lines) {
    const dir = join(out, `pdq-${n}-${queriesN}`);
    if (!existsSync(join(dir, 'queries.txt'))) {
      mkdirSync(dir, { recursive: true });
      execFileSync('/usr/bin/python3', [join(shared, 'make_hashes.py'), String(n), String(queriesN), dir], { stdio: 'inherit' });
    }
    const r = await httpBench(n, dir, out, Number(flag('--seconds') ?? 10), [16, 32], workers);
    console.log(
      `\nHTTP GET /m/raw_lookup, ${n.toLocaleString('en')} hashes, ${workers > 1 ? `alliance serve --workers ${workers}` : 'one alliance serve process'}, autocannon over 127.0.0.1 on the same ${cpus().length} cores${r.importS ? ` (bank imported in ${r.importS.toFixed(1)} s)` : ''}:`,
    );
    const target = n >= 10_000_000 ? '≥ 4,000 requests/s, p99 < 20 ms' : '≥ 3,000 requests/s, p99 < 20 ms';
    for (const x of r.runs)
      console.log(
        `  ${x.connections} connections: ${x.requestsPerSecond.toFixed(0)} requests/s, p50 ${x.p50} ms, p99 ${x.p99} ms, ${x.errors} errors (target ${target}); CPU per request: server ${x.serverCpuMs.toFixed(2)} ms, load generator ${x.clientCpuMs.toFixed(2)} ms`,
      );
  }
}
