/**
 * The HTTP lookup path of bench:match: a real `alliance serve` process with N PDQ hashes (the same
 * generated haystack), queried at /m/raw_lookup by autocannon over 127.0.0.1, cycling through the
 * generated queries. Prints requests/s, latency percentiles and the CPU time per request of the
 * server's processes and of the load generator.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config/config.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { openNode } from '../src/node/node.js';
import { hammingHexOf } from './hex.js';
import { startServer, treeCpuSeconds } from '../test/support/server-process.js';

export interface HttpRun {
  connections: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU the server's processes (and their threads) used per request, ms (less sensitive to other load than requests/s, not immune: cache contention and per-second work at low rates inflate it). */
  serverCpuMs: number;
  /** CPU the load generator (this process) used per request, ms. */
  clientCpuMs: number;
}

export interface HttpBenchResult {
  n: number;
  workers: number;
  runs: HttpRun[];
  importS?: number;
}

/** Builds (once, cached under bench/out) a data directory holding the haystack in bank BENCH. */
export async function prepare(dir: string, hashesDir: string): Promise<{ token: string; importS?: number }> {
  const dataDir = join(dir, 'data');
  const tokenFile = join(dir, 'token');
  const fresh = !existsSync(join(dataDir, 'alliance.sqlite'));
  let importS: number | undefined;
  if (fresh) {
    mkdirSync(dataDir, { recursive: true });
    const node = await openNode(loadConfig({ dataDir, logLevel: 'silent' }, {}));
    const actor = await node.operator();
    await node.banks.createBank(actor, { name: 'BENCH' });
    const hay = await readHashLines(join(hashesDir, 'haystack.txt'));
    const started = performance.now();
    const n = hay.length / 8;
    for (let i = 0; i < n; i += 100_000) {
      const items = [];
      for (let j = i; j < Math.min(n, i + 100_000); j++) items.push({ signals: [{ signal_type: 'pdq', value: hammingHexOf(hay, j) }] });
      await node.banks.importContents(actor, 'BENCH', items, 'bench');
    }
    importS = (performance.now() - started) / 1000;
    const { token } = await node.members.createToken(actor, 'local', 'matcher', 'bench');
    (await import('node:fs')).writeFileSync(tokenFile, token);
    await node.close();
  }
  return { token: (await import('node:fs')).readFileSync(tokenFile, 'utf8'), importS };
}

/** `workers`: `alliance serve --workers N` (N processes on the one port, each holding the index). */
export async function httpBench(
  n: number,
  hashesDir: string,
  outDir: string,
  seconds = 10,
  connectionCounts = [16, 32],
  workers = 1,
): Promise<HttpBenchResult> {
  const dir = join(outDir, `http-${n}`);
  const { token, importS } = await prepare(dir, hashesDir);
  const server = await startServer(
    workers > 1 ? ['--workers', String(workers)] : [],
    { ALLIANCE_DATA_DIR: join(dir, 'data'), ALLIANCE_LOG_LEVEL: 'warn' },
    900_000,
  );
  try {
    const queries = await readHashLines(join(hashesDir, 'queries.txt'));
    const paths = Array.from({ length: queries.length / 8 }, (_, q) => `/m/raw_lookup?signal_type=pdq&signal=${hammingHexOf(queries, q)}`);
    let next = 0;
    const run = (duration: number, connections: number) =>
      autocannon({
        url: server.url,
        connections,
        duration,
        headers: { authorization: `Bearer ${token}` },
        requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
      });
    await run(3 * workers, 16); // warm-up (every worker)
    const runs: HttpRun[] = [];
    for (const connections of connectionCounts) {
      const cpu0 = treeCpuSeconds(server.proc.pid!);
      const client0 = process.cpuUsage();
      const r = await run(seconds, connections);
      const client = process.cpuUsage(client0);
      const done = Math.max(1, r.requests.total);
      runs.push({
        connections,
        requestsPerSecond: r.requests.average,
        p50: r.latency.p50,
        p99: r.latency.p99,
        errors: r.errors + r.non2xx,
        serverCpuMs: ((treeCpuSeconds(server.proc.pid!) - cpu0) * 1000) / done,
        clientCpuMs: (client.user + client.system) / 1000 / done,
      });
    }
    return { n, workers, runs, importS };
  } finally {
    await server.stop('SIGTERM');
  }
}
