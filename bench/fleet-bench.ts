/**
 * bench:fleet — several `alliance serve` processes over one PostgreSQL (issue 19, target 7).
 *  1. one throw-away PostgreSQL cluster on 127.0.0.1 (test/support/postgres.ts, as the tests use),
 *     N PDQ hashes (../shared/bench/make_hashes.py, cached under bench/out/) imported into one bank;
 *  2. process A (`serve`, role all: the one that runs background work) alone, then A and B
 *     (`serve --role matcher`) together: GET /m/raw_lookup requests/s and p99, autocannon over
 *     127.0.0.1 with the connections split over the processes;
 *  3. propagation under that load: a new signal written through one process (alternately A and B),
 *     timed from its acknowledgement until every other process matches it; then deleted through
 *     another, timed until no process matches it;
 *  4. the same while the listening connections are cut (pg_terminate_backend): what the processes
 *     do when their database connection drops (a failover or restart of PostgreSQL does that);
 *  5. the same while every process writes its index snapshot (which holds its catch-up meanwhile).
 * Usage: npm run bench:fleet [-- --size 1000000] [--seconds 10] [--rounds 20] [--processes 2]
 * The load generator runs on the same cores as the servers and PostgreSQL: the figures are what
 * this machine gives all of them together, not what a fleet of separate machines would.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { openNode } from '../src/node/node.js';
import { startPostgres } from '../test/support/postgres.js';
import { http, startServer, type ServerProcess } from '../test/support/server-process.js';
import { hammingHexOf } from './hex.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const n = Number(flag('--size') ?? 1_000_000);
const seconds = Number(flag('--seconds') ?? 10);
const rounds = Number(flag('--rounds') ?? 20);
const processes = Math.max(2, Number(flag('--processes') ?? 2));
const queriesN = 1000;
const shared = join(import.meta.dirname, '..', '..', 'shared', 'bench');
const out = join(import.meta.dirname, 'out');

console.log(
  `bench:fleet  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, ${n.toLocaleString('en')} PDQ hashes, up to ${processes} serve processes on one PostgreSQL`,
);
const hashes = join(out, `pdq-${n}-${queriesN}`);
if (!existsSync(join(hashes, 'queries.txt'))) {
  mkdirSync(hashes, { recursive: true });
  execFileSync('/usr/bin/python3', [join(shared, 'make_hashes.py'), String(n), String(queriesN), hashes], { stdio: 'inherit' });
}

const ms = (x: number) => `${x.toFixed(x < 10 ? 1 : 0)} ms`;
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
/** A fresh random PDQ hash: at Hamming distance > 31 of every generated one with overwhelming probability. */
const randomPdq = () => Array.from({ length: 8 }, () => ((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, '0')).join('');

const cluster = await startPostgres();
const servers: ServerProcess[] = [];
const base = join(out, `fleet-${n}`);
try {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database fleet');
  const databaseUrl = cluster.url.replace(/\/postgres$/, '/fleet');
  console.log(
    `PostgreSQL ${(await admin.query('show server_version')).rows[0].server_version} on ${cluster.url.replace(/\/postgres$/, '')} (the tests' settings: fsync off)`,
  );

  // A fresh data directory for every process: the database is new, so no snapshot may be reused.
  rmSync(base, { recursive: true, force: true });
  const dataDir = (i: number) => join(base, `p${i}`);
  const t = performance.now();
  const node = await openNode(loadConfig({ dataDir: dataDir(0), databaseUrl, logLevel: 'silent' }, {}));
  const adminToken = node.firstAdminToken!;
  const actor = await node.operator();
  await node.banks.createBank(actor, { name: 'BENCH' });
  const hay = await readHashLines(join(hashes, 'haystack.txt'));
  for (let i = 0; i < n; i += 100_000) {
    const items = [];
    for (let j = i; j < Math.min(n, i + 100_000); j++) items.push({ signals: [{ signal_type: 'pdq', value: hammingHexOf(hay, j) }] });
    await node.banks.importContents(actor, 'BENCH', items, 'bench');
  }
  const token = (await node.members.createToken(actor, 'local', 'matcher', 'bench')).token;
  await node.close();
  console.log(`imported ${n.toLocaleString('en')} hashes into PostgreSQL in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  // Every process of the fleet holds the node's key files (README, "Configuration").
  for (let i = 1; i < processes; i++) {
    mkdirSync(dataDir(i), { recursive: true, mode: 0o700 });
    for (const f of ['node-key.pem', 'audit.key', 'secrets.key']) if (existsSync(join(dataDir(0), f))) copyFileSync(join(dataDir(0), f), join(dataDir(i), f));
  }

  const start = async (i: number) => {
    const began = performance.now();
    const s = await startServer(i === 0 ? [] : ['--role', 'matcher'], { ALLIANCE_DATA_DIR: dataDir(i), ALLIANCE_DATABASE_URL: databaseUrl }, 900_000);
    servers.push(s);
    console.log(
      `process ${'AB'[i] ?? i} (${i === 0 ? 'serve, role all' : 'serve --role matcher'}) listening after ${((performance.now() - began) / 1000).toFixed(1)} s: ${/Index ready: (.*)/.exec(s.stderr())?.[1] ?? '?'}`,
    );
    return s;
  };

  const queries = await readHashLines(join(hashes, 'queries.txt'));
  const paths = Array.from({ length: queries.length / 8 }, (_, q) => `/m/raw_lookup?signal_type=pdq&signal=${hammingHexOf(queries, q)}`);
  let next = 0;
  const load = (server: ServerProcess, connections: number, duration: number) =>
    autocannon({
      url: server.url,
      connections,
      duration,
      headers: { authorization: `Bearer ${token}` },
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[next++ % paths.length] }) }],
    });
  /** Load on every running process at once, `total` connections split evenly; summed requests/s, worst p99. */
  const fleetLoad = async (total: number, duration: number) => {
    const rs = await Promise.all(servers.map((s) => load(s, Math.max(1, Math.round(total / servers.length)), duration)));
    return {
      rps: rs.reduce((a, r) => a + r.requests.average, 0),
      p50: Math.max(...rs.map((r) => r.latency.p50)),
      p99: Math.max(...rs.map((r) => r.latency.p99)),
      errors: rs.reduce((a, r) => a + r.errors + r.non2xx, 0),
      each: rs.map((r) => r.requests.average.toFixed(0)).join(' + '),
    };
  };
  const throughput: string[] = [];
  const measure = async (count: number) => {
    await fleetLoad(16, 3); // warm-up
    for (const c of [16, 32]) {
      const r = await fleetLoad(c, seconds);
      const line = `  ${count} process${count > 1 ? 'es' : ''}, ${c} connections: ${r.rps.toFixed(0)} requests/s${count > 1 ? ` (${r.each})` : ''}, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.errors} errors`;
      console.log(line);
      throughput.push(line);
    }
  };

  await start(0);
  await measure(1);
  for (let i = 1; i < processes; i++) await start(i);
  await measure(processes);

  // Propagation under load: every process keeps serving lookups while signals are written and deleted.
  const matches = async (s: ServerProcess, hash: string) =>
    ((await http(`${s.url}/m/raw_lookup?signal_type=pdq&signal=${hash}`, token)).json as { matches: number[] }).matches;
  /** Polls `s` back to back until `done` holds; ms since `since`. */
  const waitFor = async (s: ServerProcess, hash: string, done: (m: number[]) => boolean, since: number, limitMs = 60_000) => {
    for (;;) {
      if (done(await matches(s, hash))) return performance.now() - since;
      if (performance.now() - since > limitMs) return Infinity;
    }
  };
  const propagate = async (label: string, during?: (round: number) => Promise<void>) => {
    const adds: number[] = [];
    const removes: number[] = [];
    let writerLag = 0;
    let stop = false;
    const background = (async () => {
      while (!stop) await fleetLoad(16, 2);
    })();
    await new Promise((r) => setTimeout(r, 500));
    try {
      for (let round = 0; round < rounds; round++) {
        await during?.(round);
        const writer = servers[round % servers.length];
        const others = servers.filter((s) => s !== writer);
        const hash = randomPdq();
        const added = await http(`${writer.url}/api/v1/banks/BENCH/content`, adminToken, 'POST', { signals: [{ signal_type: 'pdq', value: hash }] });
        const acked = performance.now();
        if (added.status !== 201) throw new Error(`write failed: ${added.status} ${added.text}`);
        const id = added.json.id as number;
        // The writer answers after its own index has the change.
        if (!(await matches(writer, hash)).includes(id)) writerLag++;
        adds.push(Math.max(...(await Promise.all(others.map((s) => waitFor(s, hash, (m) => m.includes(id), acked))))));
        // Deleted through another process than the one that wrote it.
        const deleter = others[0];
        const deleted = await http(`${deleter.url}/api/v1/content/${id}`, adminToken, 'DELETE');
        const dAcked = performance.now();
        if (deleted.status >= 300) throw new Error(`delete failed: ${deleted.status} ${deleted.text}`);
        removes.push(Math.max(...(await Promise.all(servers.filter((s) => s !== deleter).map((s) => waitFor(s, hash, (m) => !m.includes(id), dAcked))))));
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      stop = true;
      await background;
    }
    const line = (what: string, xs: number[]) => `${what}: median ${ms(pct(xs, 50))}, p95 ${ms(pct(xs, 95))}, max ${ms(Math.max(...xs))} (${xs.length} rounds)`;
    console.log(`\npropagation ${label}, ${servers.length} processes under lookup load (16 connections), from the write's acknowledgement:`);
    console.log(`  add, until every other process matches it — ${line('', adds).slice(2)}  (goal < 1 s; HMA: up to 10 min)`);
    console.log(`  delete, until no process matches it — ${line('', removes).slice(2)}`);
    console.log(`  the writing process matched its own write at once in ${rounds - writerLag} of ${rounds} rounds`);
    return { adds, removes };
  };
  const normal = await propagate('(LISTEN/NOTIFY, 1 s poll as fall-back)');

  // The listening connection of every matcher cut before each round, as a failover or a restart of
  // PostgreSQL cuts it: does the process survive, and how soon does it follow writes again?
  const pids = async () =>
    (await admin.query(`select pid from pg_stat_activity where datname = 'fleet' and query ilike 'LISTEN %'`)).rows.map((r: { pid: number }) => r.pid);
  console.log(`\nlistening connections before the cut: ${(await pids()).length}`);
  let cut = 0;
  const severed = await propagate('with the listening connections cut before every round (pg_terminate_backend)', async () => {
    for (const pid of await pids()) {
      await admin.query('select pg_terminate_backend($1)', [pid]);
      cut++;
    }
  }).catch((err: unknown) => {
    console.log(`  propagation with the connection cut failed: ${(err as Error).message.split('\n')[0]}`);
    return undefined;
  });
  const alive = servers.filter((s) => s.proc.exitCode === null && s.proc.signalCode === null).length;
  console.log(`  ${cut} listening connections cut; ${alive} of ${servers.length} processes still running; listening connections now: ${(await pids()).length}`);
  // A snapshot holds the index's change queue while it writes (the files must be one log position):
  // a write that arrives meanwhile is applied when the snapshot is written.
  const writing: Array<Promise<unknown>> = [];
  const snapshotting = await propagate('while every process writes its index snapshot (POST /api/v1/index/snapshot just before the write)', async () => {
    await Promise.all(writing.splice(0));
    for (const s of servers) writing.push(http(`${s.url}/api/v1/index/snapshot`, adminToken, 'POST'));
    await new Promise((r) => setTimeout(r, 20));
  });
  await Promise.all(writing);
  await admin.end();

  const summary = [
    `bench:fleet ${new Date().toISOString().slice(0, 10)}, ${n.toLocaleString('en')} hashes, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}`,
    ...throughput,
    `  propagation add: median ${ms(pct(normal.adds, 50))}, max ${ms(Math.max(...normal.adds))}; delete: median ${ms(pct(normal.removes, 50))}, max ${ms(Math.max(...normal.removes))}`,
    `  while the processes write their snapshots: add median ${ms(pct(snapshotting.adds, 50))}, max ${ms(Math.max(...snapshotting.adds))}`,
    severed
      ? `  with the listening connection cut: add median ${ms(pct(severed.adds, 50))}, max ${ms(Math.max(...severed.adds))}; delete median ${ms(pct(severed.removes, 50))}, max ${ms(Math.max(...severed.removes))}`
      : '  with the listening connection cut: failed',
  ];
  console.log(`\n${summary.join('\n')}`);
  writeFileSync(join(base, 'summary.txt'), `${summary.join('\n')}\n`);
} finally {
  await Promise.all(servers.map((s) => s.stop('SIGTERM')));
  cluster.stop();
}
