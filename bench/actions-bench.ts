/**
 * bench:actions — what acting on matches costs a platform, against the plain lookup it replaces:
 * a real `alliance serve` process with N PDQ hashes in a bank and an action rule (review), queried
 * by autocannon over 127.0.0.1 with the same generated queries (a share of them match) at
 *   1. GET /m/raw_lookup (the HMA lookup: match only), and
 *   2. POST /api/v1/submissions (match, rules, the submission and any review item stored, audited).
 * Prints requests/s and latency for each and the ratio of the two, in the same run. The other
 * steps (review, report, notice) run at human or host speed and are measured per item by
 * /api/v1/action-metrics, not here.
 * --database postgres runs the same on a throw-away PostgreSQL cluster on 127.0.0.1 (the tests'
 * test/support/postgres.ts, but durable: fsync and synchronous_commit on, as a deployment has them),
 * the bank imported afresh each run. --only lookups|submissions runs one of the two (profiling).
 * Usage: npm run bench:actions [-- --n 100000 --seconds 10 --connections 16 --database sqlite|postgres
 *        --only lookups|submissions --profile DIR]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { readHashLines } from '../src/index/hash-lines.js';
import { openNode } from '../src/node/node.js';
import { SHARED } from '../test/support/paths.js';
import { startPostgres, type PgCluster } from '../test/support/postgres.js';
import { startServer } from '../test/support/server-process.js';
import { hammingHexOf } from './hex.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const N = Number(flag('--n') ?? 100_000);
const SECONDS = Number(flag('--seconds') ?? 10);
const CONNECTIONS = Number(flag('--connections') ?? 16);
const DATABASE = flag('--database') ?? 'sqlite';
const ONLY = flag('--only');
if (!['sqlite', 'postgres'].includes(DATABASE) || (ONLY !== undefined && !['lookups', 'submissions'].includes(ONLY)))
  throw new Error('--database sqlite|postgres, --only lookups|submissions');
const out = join(import.meta.dirname, 'out', `actions-${N}`);
const hashes = join(out, 'hashes');

if (!existsSync(join(hashes, 'haystack.txt'))) {
  mkdirSync(hashes, { recursive: true });
  execFileSync('python3', [join(SHARED, 'bench', 'make_hashes.py'), String(N), '1000', hashes], { stdio: 'inherit' });
}
let cluster: PgCluster | undefined;
let databaseUrl: string | undefined;
if (DATABASE === 'postgres') {
  cluster = await startPostgres({ durable: true });
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  await admin.query('create database actions');
  console.log(`PostgreSQL ${(await admin.query('show server_version')).rows[0].server_version}, fsync and synchronous_commit on`);
  await admin.end();
  databaseUrl = cluster.url.replace(/\/postgres$/, '/actions');
}
// The PostgreSQL cluster is new each run: so is its data directory (no snapshot of another database).
const dataDir = join(out, DATABASE === 'postgres' ? 'data-pg' : 'data');
const tokenFile = join(out, DATABASE === 'postgres' ? 'token-pg' : 'token');
if (DATABASE === 'postgres') rmSync(dataDir, { recursive: true, force: true });
if (DATABASE === 'postgres' || !existsSync(tokenFile)) {
  const node = await openNode(loadConfig({ dataDir, databaseUrl, logLevel: 'silent' }, {}));
  const actor = await node.operator();
  await node.banks.createBank(actor, { name: 'BENCH' });
  const hay = await readHashLines(join(hashes, 'haystack.txt'));
  for (let i = 0; i < N; i += 100_000) {
    const items = [];
    for (let j = i; j < Math.min(N, i + 100_000); j++)
      items.push({ signals: [{ signal_type: 'pdq', value: hammingHexOf(hay, j) }], classification: 'industry:A1' });
    await node.banks.importContents(actor, 'BENCH', items, 'bench');
  }
  await node.rules.create(actor, { name: 'review bench matches', conditions: { banks: ['BENCH'] }, actions: ['review', 'report', 'notice'] });
  writeFileSync(tokenFile, (await node.members.createToken(actor, 'local', 'matcher', 'bench')).token);
  await node.close();
}
const token = readFileSync(tokenFile, 'utf8');
const queries = await readHashLines(join(hashes, 'queries.txt'));
const hex = Array.from({ length: queries.length / 8 }, (_, q) => hammingHexOf(queries, q));

const profile = flag('--profile'); // a directory: the server writes a CPU profile there
const server = await startServer(
  [],
  { ALLIANCE_DATA_DIR: dataDir, ALLIANCE_LOG_LEVEL: 'warn', ...(databaseUrl ? { ALLIANCE_DATABASE_URL: databaseUrl } : {}) },
  600_000,
  profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [],
);
try {
  let next = 0;
  const lookup = (duration: number) =>
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration,
      headers: { authorization: `Bearer ${token}` },
      requests: [{ setupRequest: (req) => ({ ...req, path: `/m/raw_lookup?signal_type=pdq&signal=${hex[next++ % hex.length]}` }) }],
    });
  const submit = (duration: number) =>
    autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      requests: [
        {
          method: 'POST',
          setupRequest: (req) => ({
            ...req,
            path: '/api/v1/submissions',
            body: JSON.stringify({ signals: { pdq: hex[next++ % hex.length] }, source: 'bench', uploaded_at: Date.now() }),
          }),
        },
      ],
    });
  await (ONLY === 'submissions' ? submit(3) : lookup(3)); // warm-up
  const l = ONLY === 'submissions' ? undefined : await lookup(SECONDS);
  const s = ONLY === 'lookups' ? undefined : await submit(SECONDS);
  const row = (name: string, r: autocannon.Result | undefined) =>
    r &&
    `  ${name.padEnd(34)} ${r.requests.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.latency.p50).padStart(3)} ms   p99 ${String(r.latency.p99).padStart(3)} ms   errors ${r.errors + r.non2xx}`;
  console.log(
    `\nbench:actions — ${N.toLocaleString('en')} PDQ hashes, ${CONNECTIONS} connections, ${SECONDS} s each, one alliance serve process on ${DATABASE === 'postgres' ? 'PostgreSQL' : 'SQLite'}, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, ${new Date().toISOString().slice(0, 10)}`,
  );
  if (l) console.log(row('GET /m/raw_lookup (reference)', l));
  if (s) console.log(row('POST /api/v1/submissions', s));
  if (l && s)
    console.log(
      `  submissions / lookups: ${(s.requests.average / l.requests.average).toFixed(2)} of the lookup throughput (every submission matched, ruled, stored and audited)`,
    );
} finally {
  await server.stop('SIGTERM');
}
const node = await openNode(loadConfig({ dataDir, databaseUrl, logLevel: 'silent' }, {}));
const count = async (table: 'submissions' | 'review_items') =>
  Number(
    (
      await node.store.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
console.log(
  `  stored so far in this data directory: ${(await count('submissions')).toLocaleString('en')} submissions, ${(await count('review_items')).toLocaleString('en')} review items (one per matching content)`,
);
await node.close();
cluster?.stop();
