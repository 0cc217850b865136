/**
 * `alliance serve`: the node's HTTP server (API, HMA-compatible surface, web UI) on the embedded
 * SQLite by default or a shared PostgreSQL. Snapshots the index periodically and on shutdown;
 * follows other processes' writes (PostgreSQL notifications, plus a 1 s poll that also serves
 * CLI writes to a shared SQLite file). With --workers N, N processes serve the one port
 * (serve-workers.ts); the first of them also runs the background work.
 */
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { buildServer } from '../../api/server.js';
import type { Config } from '../../config/config.js';
import { AllianceError } from '../../errors/catalogue.js';
import { hugePagesAdvice } from '../../index/index.js';
import { runBackgroundTasks } from '../../jobs/background.js';
import { DEMO_DECONFLICTION_KEY } from '../../cases/targets.js';
import { DEMO, seedDemoBanks, seedDemoWork } from '../../node/demo.js';
import { openNode, type AllianceNode } from '../../node/node.js';
import { announceFirstToken, configFrom } from '../node-command.js';
import { oneOf, positiveInt } from '../options.js';
import { startDemoAuthority, type DemoAuthority } from './serve-demo.js';
import { runWorkers, say, workerId, type Prepared } from './serve-workers.js';

interface ServeOptions {
  host?: string;
  port?: number;
  role?: 'all' | 'matcher';
  workers?: number;
  demo?: string | boolean;
}

const DEFAULT_FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the node: API under /api/v1, HMA-compatible API, web UI, /health and /metrics.')
    .option('--host <host>', 'address to listen on (env ALLIANCE_HOST)')
    .option('--port <port>', 'port (env ALLIANCE_PORT; 5100 like HMA)', positiveInt('--port'))
    .option(
      '--role <role>',
      'all (default) or matcher: lookups only, sharing an ALLIANCE_DATABASE_URL with other processes',
      oneOf('--role', ['all', 'matcher'] as const),
    )
    .option(
      '--workers <n>',
      'processes serving the one port (env ALLIANCE_WORKERS; default 1); each holds the index in memory, the first also runs syncs, jobs and snapshots',
      positiveInt('--workers'),
    )
    .option(
      '--demo [fixtures]',
      'seed demo data once (banks from the shared fixture hashes, default ../shared/fixtures; rules, reviews, reports, notices, a series, deconfliction cases on a public demo key)',
    )
    .addHelpText(
      'after',
      "\nThe first start creates the node's member and prints its admin token once.\nExamples:\n  alliance serve --demo\n  alliance serve --workers 2          # two cores' worth of HTTP on one port\n  ALLIANCE_DATABASE_URL=postgres://… alliance serve --role matcher --port 5101",
    )
    .action(async (opts: ServeOptions, cmd: Command) => {
      const given = configFrom(cmd, {
        host: opts.host,
        port: opts.port === undefined ? undefined : String(opts.port),
        role: opts.role,
        workers: opts.workers === undefined ? undefined : String(opts.workers),
      });
      // The demo's deconfliction runs on the public demo key (flagged demo: true), never a configured one.
      // Its e-mail notices go into <data>/demo-outbox unless a mail server is configured: the timelines show them sent.
      const config = opts.demo
        ? {
            ...given,
            deconflictionKey: given.deconflictionKey ?? DEMO_DECONFLICTION_KEY,
            smtpUrl: given.smtpUrl ?? pathToFileURL(join(given.dataDir, 'demo-outbox')).href,
          }
        : given;
      if (config.workers > 1 && cluster.isPrimary) return runWorkers(config, (node) => prepare(node, opts), sayListening);
      await serve(config, cluster.isWorker ? workerId() : 0, opts);
    });
}

/** The demo authority's node, when this process serves one (serve --demo in one process). */
let demoAuthority: DemoAuthority | undefined;

/**
 * What happens once, before serving: the first admin token, the demo banks and work, and the demo
 * page's token. `serving`: this process serves HTTP itself (no workers), so it can serve the demo authority too.
 */
async function prepare(node: AllianceNode, opts: ServeOptions, serving = false): Promise<Prepared> {
  const { config } = node;
  announceFirstToken(node, say);
  if (node.identityWarning) say(node.identityWarning);
  if (!opts.demo) return {};
  const fixtures = typeof opts.demo === 'string' ? opts.demo : DEFAULT_FIXTURES;
  if (!existsSync(fixtures)) return {};
  const seeded = await seedDemoBanks(node.banks, await node.operator(), fixtures);
  if (seeded) say(`Demo banks created from ${fixtures}: ${seeded.banks.join(', ')} (${seeded.contents} contents)`);
  // The core flows, each once: a second --demo on the same data adds nothing.
  // Demo data must not keep the node from serving: a part that cannot be made is said and skipped.
  if (serving && config.role === 'all')
    demoAuthority = await startDemoAuthority(node).catch((err: unknown) => {
      say(`The demo authority's node did not start (its reports stay undelivered): ${(err as Error).message}`);
      return undefined;
    });
  if (demoAuthority) say(`Demo authority: a second node (member ${DEMO.authority}, NL) on ${demoAuthority.url}, receiving the demo's incident reports`);
  const work =
    config.role === 'all'
      ? await seedDemoWork(node, await node.operator(), fixtures, demoAuthority).catch((err: unknown) => {
          say(`Demo work not (fully) seeded: ${(err as Error).message}`);
          return undefined;
        })
      : undefined;
  if (work && Object.values(work).some((n) => n > 0))
    say(
      `Demo work seeded: ${work.rules} rules, ${work.submissions} reviews, ${work.reports} reports, ${work.notices} notices, ${work.series} series, ${work.cases} deconfliction cases${node.deconfliction.demoKey ? ' (on the public demo deconfliction key)' : ''}`,
    );
  if (!seeded) return {};
  // A token that can only check: the one the SDK's demo page (any page) may hold.
  return { demoCheckToken: (await node.members.createToken(await node.operator(), config.memberName, 'checker', 'check SDK demo page')).token };
}

/** The banner's last lines, printed once whatever the number of workers. */
function sayListening(address: string, prepared: Prepared): void {
  say(`Listening on ${address} — open ${address}/ in a browser and sign in with an admin token; API docs at ${address}/docs`);
  if (prepared.demoCheckToken) say(`Check SDK demo (search "forbiddenterm", or pick a fixture image): ${address}/demo/#token=${prepared.demoCheckToken}`);
}

/**
 * One serving process: `worker` 0 when it is the only one (it prepares and prints the banner),
 * 1…N under --workers (worker 1 also runs the background work: jobs, syncs, actions, snapshots).
 */
async function serve(config: Readonly<Config>, worker: number, opts: ServeOptions): Promise<void> {
  const node = await openNode(config, {
    loadIndex: true,
    follow: Boolean(config.databaseUrl),
    queryThreads: config.lookupThreads,
    singleQueriesOnThreads: worker === 0,
    serving: true,
  }).catch((err: unknown) => {
    if (worker > 0) cluster.worker?.disconnect(); // leave the primary, which stops the server, saying so
    throw err;
  });
  const app = await buildServer(node);
  const prepared = worker === 0 ? await prepare(node, opts, true) : {};
  let address: string;
  try {
    address = await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    // Nothing may keep a server that cannot listen alive: close the store, leave the primary.
    await app.close().catch(() => undefined);
    await demoAuthority?.close().catch(() => undefined);
    await node.close();
    if (worker > 0) cluster.worker?.disconnect(); // a disconnect it asked for: its exit code stays the error's
    throw listenError(err, config);
  }
  const background = worker <= 1;
  if (background && config.role === 'all') await node.jobs.start();
  // The node's background tasks (each service's, collected by the node): every process keeps its
  // index current; the rest runs in one process only.
  const stopTasks = runBackgroundTasks(
    node.backgroundTasks().filter((t) => t.everyProcess || background),
    app.log,
  );
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    if (worker === 0) say(`${signal}: stopping (writing index snapshots)…`);
    stopTasks();
    await app.close();
    await demoAuthority?.close().catch(() => undefined);
    if (background) await node.matcher.snapshot().catch(() => undefined);
    // Signed, not sent: a witness that is down must not hold the shutdown (the next start sends it).
    if (background && config.role === 'all') await node.audit.checkpoint().catch(() => undefined);
    await node.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // A worker whose primary is gone (killed) stops too.
  if (worker > 0) process.once('disconnect', () => void stop('primary gone'));
  const s = node.matcher.status();
  const index = `${Object.entries(s.types)
    .map(([t, x]) => `${t} ${x.size}`)
    .join(', ')} (from ${s.loadedFrom}, ${Math.round(s.loadMs)} ms)`;
  if (worker > 0) {
    say(`Worker ${worker}: index ready: ${index}`);
    return;
  }
  say(`Alliance node (${config.role}) on ${node.store.dialect} at ${node.store.location}`);
  say(`Index ready: ${index}`);
  const advice = hugePagesAdvice(Object.values(s.types).reduce((sum, x) => sum + (typeof x.bytes === 'number' ? x.bytes : 0), 0));
  if (advice) say(`Note: ${advice}`);
  sayListening(address, prepared);
}

/** Why the server could not listen, in the user's terms. */
function listenError(err: unknown, config: Readonly<Config>): unknown {
  const where = `${config.host}:${config.port}`;
  switch ((err as NodeJS.ErrnoException).code) {
    case 'EADDRINUSE':
      return new AllianceError('USAGE', `${where} is already in use (another alliance serve?): choose another port with --port or ALLIANCE_PORT`);
    case 'EACCES':
      return new AllianceError(
        'USAGE',
        `not allowed to listen on ${where} (ports below 1024 need privileges): choose another port with --port or ALLIANCE_PORT`,
      );
    case 'EADDRNOTAVAIL':
      return new AllianceError('USAGE', `${config.host} is not an address of this machine: choose another with --host or ALLIANCE_HOST`);
    default:
      return err;
  }
}
