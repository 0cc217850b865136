/** External exchanges (NCMEC, ThreatExchange, HMA's sample, …): apis, credentials, add, list, status, fetch, enable, disable, remove. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { withNode } from '../node-command.js';

/** A JSON object given on the command line, in a file (@path) or on stdin (-). */
function jsonObject(text: string, what: string): Record<string, unknown> {
  const raw = text === '-' ? readFileSync(0, 'utf8') : text.startsWith('@') ? readFileSync(text.slice(1), 'utf8') : text;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new AllianceError('VALIDATION', `${what} is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AllianceError('VALIDATION', `${what} must be a JSON object`);
  return value as Record<string, unknown>;
}

/** `--set key=value` pairs; values that read as JSON (numbers, true/false) are taken as such. */
function setPairs(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const at = p.indexOf('=');
    if (at <= 0) throw new AllianceError('VALIDATION', `--set ${p}: give key=value`);
    const v = p.slice(at + 1);
    out[p.slice(0, at)] = /^(true|false|-?\d+(\.\d+)?)$/.test(v) ? JSON.parse(v) : v;
  }
  return out;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function exchangeCommand(): Command {
  const ex = new Command('exchange').description(
    'External exchanges this node fetches hash lists from (NCMEC, ThreatExchange, the sample exchange) and sends opinions to.',
  );
  ex.command('apis')
    .description('The exchange APIs this node knows, and whether their credentials are set.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const a of await node.exchanges.apis(await node.operator()))
          process.stdout.write(
            `${a.name}\t${a.supports_credentials ? (a.has_credentials ? 'credentials set' : 'credentials NOT set') : 'no credentials'}\t${a.description}\n`,
          );
      }),
    );
  ex.command('credentials <api>')
    .description('Set an API\'s credentials from a JSON object (e.g. NCMEC {"user","password"}), read from --file or stdin; kept encrypted, never printed.')
    .option('--file <path>', 'read the JSON from this file (default: stdin)')
    .option('--clear', 'remove the credentials')
    .action(async (api: string, o: { file?: string; clear?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const creds = o.clear ? null : jsonObject(o.file ? `@${o.file}` : '-', 'the credentials');
        await node.exchanges.setCredentials(await node.operator(), api, creds);
        process.stdout.write(o.clear ? `credentials of ${api} cleared\n` : `credentials of ${api} set (encrypted at rest)\n`);
      }),
    );
  ex.command('add <name>')
    .description('Create an exchange and the bank it fills (named like it); fetched by `alliance serve` on the sync interval, or by `alliance exchange fetch`.')
    .requiredOption('--api <api>', 'the exchange API (`alliance exchange apis`)')
    .option('--config <json>', 'its configuration as a JSON object (@file or - for stdin)')
    .option('--set <key=value>', 'one configuration field (repeatable)', collect, [])
    .option('--disabled', 'create it without fetching yet')
    .action(async (name: string, o: { api: string; config?: string; set: string[]; disabled?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const config = { ...(o.config ? jsonObject(o.config, '--config') : {}), ...setPairs(o.set) };
        const e = await node.exchanges.create(await node.operator(), { name, api: o.api, config, enabled: !o.disabled });
        process.stdout.write(`exchange ${e.name} (${e.api}) created, filling bank ${e.bank}${e.enabled ? '' : ' (disabled)'}\n`);
      }),
    );
  ex.command('list')
    .description('List exchanges: name, API, bank, enabled, last fetch.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        for (const e of await node.exchanges.list(actor)) {
          const s = await node.exchanges.status(actor, e.name);
          const last = s.last_fetch_completed_at ? `${s.last_fetch_succeeded ? 'ok' : 'FAILED'} ${s.last_fetch_completed_at}` : 'never fetched';
          process.stdout.write(`${e.name}\t${e.api}\t${e.bank}\t${e.enabled ? 'enabled' : 'disabled'}\t${s.fetched_items} items\t${last}\n`);
        }
      }),
    );
  ex.command('status <name>')
    .description("An exchange's fetch status (checkpoint, last fetch, items, last error); --remote asks the remote what it knows of this node.")
    .option('--remote', "also ask the remote (e.g. NCMEC's /v2/status)")
    .action(async (name: string, o: { remote?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        const out: Record<string, unknown> = { ...(await node.exchanges.status(actor, name)) };
        if (o.remote) out.remote = await node.exchanges.remoteStatus(actor, name);
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      }),
    );
  ex.command('fetch [name]')
    .description('Fetch one exchange (or every enabled one) up to date now. Exit 1 if any failed.')
    .option('--full', 'forget the checkpoint and fetch everything again (the bank converges to the remote)')
    .action(async (name: string | undefined, o: { full?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const reports = name ? [await node.exchanges.fetch(name, { full: o.full })] : await node.exchanges.fetchAll();
        for (const r of reports)
          process.stdout.write(
            `${r.exchange}: ${r.pages} pages, +${r.added} ~${r.updated} -${r.deleted}${r.unmatchable ? `, ${r.unmatchable} unmatchable` : ''}${r.rejected ? `, ${r.rejected} values rejected` : ''}${r.restarted ? ' (from the beginning)' : ''}${r.up_to_date ? ', up to date' : ''}${r.error ? `, ERROR ${r.error} [${r.error_code}]` : ''}\n`,
          );
        process.exitCode = reports.some((r) => r.error) ? 1 : 0;
      }),
    );
  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const)
    ex.command(`${verb} <name>`)
      .description(enabled ? 'Fetch this exchange again on the schedule.' : 'Stop fetching this exchange (its bank stays).')
      .action(async (name: string, _o: unknown, cmd: Command) =>
        withNode(cmd, {}, async (node) => {
          await node.exchanges.update(await node.operator(), name, { enabled });
          process.stdout.write(`exchange ${name} ${enabled ? 'enabled' : 'disabled'}\n`);
        }),
      );
  ex.command('remove <name>')
    .description('Delete an exchange AND the bank it filled (cannot be undone; a new exchange fetches it again). Needs --yes.')
    .option('--yes', 'confirm')
    .action(async (name: string, o: { yes?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const e = await node.exchanges.get(await node.operator(), name);
        if (!o.yes)
          throw new AllianceError('VALIDATION', `this deletes exchange ${e.name} and its bank ${e.bank} with everything fetched into it; run again with --yes`);
        await node.exchanges.remove(await node.operator(), name);
        process.stdout.write(`exchange ${name} and bank ${e.bank} deleted\n`);
      }),
    );
  return ex;
}

/** `alliance sources`: every source of signals, whatever its kind, with its health. */
export function sourcesCommand(): Command {
  return new Command('sources')
    .description("Every source of signals — subscriptions to peers' banks (kind alliance) and external exchanges (kind = API) — failing first.")
    .option('--json', 'as JSON')
    .option('--check', 'exit 1 when any enabled source is failing (for monitoring)')
    .action(async (o: { json?: boolean; check?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const sources = await node.exchanges.sources(await node.operator());
        if (o.json) process.stdout.write(`${JSON.stringify({ sources }, null, 2)}\n`);
        else if (sources.length === 0)
          process.stdout.write('no sources: subscribe to a peer (alliance subscribe) or add an exchange (alliance exchange add)\n');
        else
          for (const s of sources) {
            const lag = s.lag_items === null ? '' : `\tlag ${s.lag_items}`;
            const why = s.state === 'failing' ? `\t${s.last_error_code ?? 'ERROR'}: ${s.last_error ?? ''}` : '';
            process.stdout.write(
              `${s.state.toUpperCase()}\t${s.kind}\t${s.name}\t→ ${s.bank}\t${s.items} items${lag}\tlast success ${s.last_success_at ?? 'never'}${why}\n`,
            );
          }
        if (o.check && sources.some((s) => s.state === 'failing')) process.exitCode = 1;
      }),
    );
}
