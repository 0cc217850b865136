/**
 * `alliance serve`: the node's HTTP server (API, HMA-compatible surface, web UI) on the embedded
 * SQLite by default or a shared PostgreSQL. Snapshots the index periodically and on shutdown;
 * follows other processes' writes (PostgreSQL notifications, plus a 1 s poll that also serves
 * CLI writes to a shared SQLite file).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { buildServer } from '../../api/server.js';
import { seedDemoBanks } from '../../node/demo.js';
import { openNode } from '../../node/node.js';
import { configFrom } from '../node-command.js';
import { oneOf, positiveInt } from '../options.js';

interface ServeOptions {
  host?: string;
  port?: number;
  role?: 'all' | 'matcher';
  demo?: string | boolean;
}

const DEFAULT_FIXTURES = fileURLToPath(new URL('../../../../shared/fixtures', import.meta.url));

export function serveCommand(): Command {
  return new Command('serve')
    .description('Run the node: API under /api/v1, HMA-compatible API, web UI, /health and /metrics.')
    .option('--host <host>', 'address to listen on (env ALLIANCE_HOST)')
    .option('--port <port>', 'port (env ALLIANCE_PORT; 5100 like HMA)', positiveInt('--port'))
    .option('--role <role>', 'all (default) or matcher: lookups only, sharing an ALLIANCE_DATABASE_URL with other processes', oneOf('--role', ['all', 'matcher'] as const))
    .option('--demo [fixtures]', 'on an empty node, create demo banks from the shared fixture hashes (default ../shared/fixtures)')
    .addHelpText('after', '\nThe first start creates the node\'s member and prints its admin token once.\nExamples:\n  alliance serve --demo\n  ALLIANCE_DATABASE_URL=postgres://… alliance serve --role matcher --port 5101')
    .action(async (opts: ServeOptions, cmd: Command) => {
      const config = configFrom(cmd, { host: opts.host, port: opts.port === undefined ? undefined : String(opts.port), role: opts.role });
      const node = await openNode(config, { loadIndex: true, follow: Boolean(config.databaseUrl), queryThreads: config.lookupThreads });
      const app = await buildServer(node);
      const say = (line: string) => process.stderr.write(`${line}\n`);
      let demoCheckToken: string | undefined;
      if (node.firstAdminToken) say(`First start: created member "${config.memberName}" with an admin token (shown once, keep it safe):\n\n    ${node.firstAdminToken}\n`);
      if (opts.demo) {
        const fixtures = typeof opts.demo === 'string' ? opts.demo : DEFAULT_FIXTURES;
        const seeded = existsSync(fixtures) ? await seedDemoBanks(node.banks, await node.operator(), fixtures) : undefined;
        if (seeded) {
          say(`Demo banks created from ${fixtures}: ${seeded.banks.join(', ')} (${seeded.contents} contents)`);
          // A token that can only check: the one the SDK's demo page (any page) may hold.
          demoCheckToken = (await node.members.createToken(await node.operator(), config.memberName, 'checker', 'check SDK demo page')).token;
        }
      }
      if (config.role === 'all') await node.jobs.start();
      const poll = setInterval(() => void node.matcher.catchUp().catch((err: unknown) => app.log.error({ err }, 'index catch-up failed')), config.pollIntervalMs);
      const syncs =
        config.role === 'all' && config.syncIntervalMs > 0
          ? setInterval(() => {
              void node.federation.syncAll().catch((err: unknown) => app.log.error({ err }, 'sync failed'));
              void node.seriesFeed.syncAll().catch((err: unknown) => app.log.error({ err }, 'series sync failed'));
              void node.helpFeed.syncAll().catch((err: unknown) => app.log.error({ err }, 'help directory sync failed'));
              if (config.deconflictionKey) void node.deconfliction.syncAll().catch((err: unknown) => app.log.error({ err }, 'deconfliction sync failed'));
            }, config.syncIntervalMs)
          : undefined;
      let sweptAt = 0;
      const actions =
        config.role === 'all'
          ? setInterval(() => {
              void node.webhooks.tick().catch((err: unknown) => app.log.error({ err }, 'webhook delivery failed'));
              void node.notices.tick().catch((err: unknown) => app.log.error({ err }, 'takedown notices failed'));
              void node.retro.tick().catch((err: unknown) => app.log.error({ err }, 'retroactive matching failed'));
              if (Date.now() - sweptAt < 60_000) return;
              sweptAt = Date.now();
              void node.reviews.sweep(config.reviewRetentionDays).catch((err: unknown) => app.log.error({ err }, 'review media sweep failed'));
            }, config.actionsTickMs)
          : undefined;
      const snapshots = config.snapshotIntervalMs > 0 ? setInterval(() => void node.matcher.snapshot().catch((err: unknown) => app.log.error({ err }, 'snapshot failed')), config.snapshotIntervalMs) : undefined;
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        say(`${signal}: stopping (writing index snapshots)…`);
        clearInterval(poll);
        if (snapshots) clearInterval(snapshots);
        if (syncs) clearInterval(syncs);
        if (actions) clearInterval(actions);
        await app.close();
        await node.matcher.snapshot().catch(() => undefined);
        await node.close();
        process.exit(0);
      };
      process.once('SIGINT', () => void stop('SIGINT'));
      process.once('SIGTERM', () => void stop('SIGTERM'));
      const address = await app.listen({ host: config.host, port: config.port });
      const s = node.matcher.status();
      say(`Alliance node (${config.role}) on ${node.store.dialect} at ${node.store.location}`);
      say(`Index ready: ${Object.entries(s.types).map(([t, x]) => `${t} ${x.size}`).join(', ')} (from ${s.loadedFrom}, ${Math.round(s.loadMs)} ms)`);
      say(`Listening on ${address} — open ${address}/ in a browser and sign in with an admin token; API docs at ${address}/docs`);
      if (demoCheckToken) say(`Check SDK demo (search "forbiddenterm", or pick a fixture image): ${address}/demo/#token=${demoCheckToken}`);
    });
}
