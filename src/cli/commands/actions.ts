/** Acting on matches from the command line: receiving authorities, hosting providers, rules, reports. */
import { writeFile } from 'node:fs/promises';
import { Command } from 'commander';
import { addCountryReportCommands } from './country-report.js';
import { withNode } from '../node-command.js';
import { oneOf, positiveInt } from '../options.js';
import { CYBERTIPLINE_DESTINATION_NAME, type ReportView } from '../../actions/index.js';
import { AllianceError } from '../../errors/catalogue.js';

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

export function routingCommand(): Command {
  const routing = new Command('routing').description(
    "Where incident reports go: each country's receiving authority (a peer, or the CyberTipline), and the fall-back.",
  );
  routing
    .command('set')
    .description("Register a country's receiving authority: a peer, or with --cybertipline the CyberTipline (NCMEC; needs ALLIANCE_CYBERTIPLINE_* configured).")
    .argument('<country>', 'ISO 3166-1 alpha-2 code, e.g. DE')
    .argument('[peer]', 'a registered peer (alliance peer add)')
    .option('--cybertipline', "submit the country's finished reports to the CyberTipline instead of sending them to a peer")
    .action(async (country: string, peer: string | undefined, o: { cybertipline?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        if (Boolean(peer) === Boolean(o.cybertipline)) throw new AllianceError('USAGE', 'give either a peer or --cybertipline');
        const r = await node.reports.setAuthority(await node.operator(), country, peer ?? { cybertipline: true });
        process.stdout.write(`reports for ${r.country} go to ${r.peer ?? CYBERTIPLINE_DESTINATION_NAME}\n`);
      }),
    );
  routing
    .command('remove')
    .description("Forget a country's receiving authority.")
    .argument('<country>')
    .action(async (country: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.reports.removeAuthority(await node.operator(), country);
        process.stdout.write(`no receiving authority for ${country.toUpperCase()} any more\n`);
      }),
    );
  routing
    .command('list')
    .description('List receiving authorities and the fall-back contact (ALLIANCE_REPORT_FALLBACK_PEER).')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.reports.authorities(await node.operator());
        for (const a of r.authorities) process.stdout.write(`${a.country}\t${a.peer ?? CYBERTIPLINE_DESTINATION_NAME}\n`);
        process.stdout.write(`fall-back\t${r.fallback ?? '(none: such reports stay on this node)'}\n`);
      }),
    );
  return routing;
}

export function providerCommand(): Command {
  const provider = new Command('provider').description('Hosting providers that receive takedown notices, with their response times.');
  provider
    .command('add')
    .description('Register a hosting provider by the host names it serves and its abuse contact.')
    .argument('<name>')
    .requiredOption('--domains <names>', 'host names it serves, comma-separated (each covers its subdomains)', list)
    .option('--abuse-url <url>', 'HTTP endpoint that takes notices as JSON (answers {"status":"removed"} once removed)')
    .option('--abuse-email <address>', 'abuse address (needs ALLIANCE_SMTP_URL)')
    .option('--country <code>', 'where it hosts (ISO 3166-1 alpha-2): its notices count for that country in the indicators')
    .action(async (name: string, o: { domains: string[]; abuseUrl?: string; abuseEmail?: string; country?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const p = await node.notices.addProvider(await node.operator(), {
          name,
          domains: o.domains,
          abuse_url: o.abuseUrl ?? null,
          abuse_email: o.abuseEmail ?? null,
          country: o.country ?? null,
        });
        process.stdout.write(`provider ${p.name} added for ${p.domains.join(', ')}\n`);
      }),
    );
  provider
    .command('list')
    .description('List providers with notices sent, removed, and median hours to removal.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const p of await node.notices.providers(await node.operator())) {
          const s = p.stats;
          process.stdout.write(
            `${p.name}\t${p.domains.join(',')}\t${s.notices} notices, ${s.removed} removed, median ${s.median_hours_to_removal === null ? '-' : `${s.median_hours_to_removal.toFixed(1)} h`}\n`,
          );
        }
      }),
    );
  provider
    .command('remove')
    .argument('<name>')
    .description('Forget a provider (its notices stay, without a provider).')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.notices.removeProvider(await node.operator(), name);
        process.stdout.write(`provider ${name} removed\n`);
      }),
    );
  return provider;
}

export function rulesCommand(): Command {
  return new Command('rules')
    .description('List the action rules (create and change them in the web UI or through /api/v1/rules).')
    .option('--json', 'as JSON')
    .action(async (o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const rules = await node.rules.list(await node.operator());
        if (o.json) return void process.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
        for (const r of rules)
          process.stdout.write(
            `${r.id}\t${r.name}\t${r.enabled ? 'enabled' : 'disabled'}\t${JSON.stringify(r.conditions)}\t→ ${r.actions.join(', ')}${r.webhook ? ` (${r.webhook})` : ''}\n`,
          );
      }),
    );
}

/** `report show`: the lines a reader needs, one fact a line. */
function reportSummary(r: ReportView): string {
  const lines = [
    `report ${r.id} (${r.uid}): ${r.status}, ${r.incident_type}${r.direction === 'in' ? `, received from ${r.from_member ?? '-'}` : ''}`,
    `country: ${r.country ?? '-'}${r.routing_basis ? ` (from ${r.routing_basis})` : ''}, ${r.kind ?? '-'}`,
  ];
  if (r.direction === 'out' && r.status === 'finished')
    lines.push(
      `destination: ${r.destination === 'cybertipline' ? CYBERTIPLINE_DESTINATION_NAME : r.destination === 'peer' ? `peer ${r.routed_to}` : 'none (kept on this node)'}`,
    );
  if (r.delivery) lines.push(`delivery: ${r.delivery.state}${r.delivery.error ? `: ${r.delivery.error}` : ''}`);
  const c = r.cybertipline;
  if (c)
    lines.push(
      `cybertipline: ${c.environment} ${c.status}${c.report_id ? `, report id ${c.report_id}` : ''}${c.response_code !== null ? `, responseCode ${c.response_code}` : ''}${c.error ? `: ${c.error}` : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

export function reportCommand(): Command {
  const report = new Command('report').description(
    "Incident reports made on this node and received from members (list, export); the country's periodic report on the four targets (build, narrative, sign, submit, pdf, csv, periodic).",
  );
  report
    .command('list')
    .description('List reports, newest first.')
    .option('--in', 'reports received from members (default: made here)')
    .action(async (o: { in?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const r of await node.reports.list(await node.operator(), o.in ? 'in' : 'out', 500)) {
          process.stdout.write(
            `${r.id}\t${r.uid}\t${r.status}\t${r.incident_type}\t${r.country ?? '-'}\t${r.kind ?? '-'}\t${o.in ? `from ${r.from_member}` : `to ${r.destination === 'cybertipline' ? CYBERTIPLINE_DESTINATION_NAME : (r.routed_to ?? '-')}`}\n`,
          );
        }
      }),
    );
  report
    .command('show')
    .description('Show a report: where it was routed and why, its destination (a peer or the CyberTipline), its delivery and CyberTipline state.')
    .argument('<report>', 'the report id or uid (report list)')
    .option('--json', 'print the whole report view as JSON')
    .action(async (ref: string, o: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.reports.get(await node.operator(), await node.cybertipline.reportId(ref));
        process.stdout.write(o.json ? `${JSON.stringify(r, null, 2)}\n` : reportSummary(r));
      }),
    );
  report
    .command('export')
    .description('Write a report as JSON or XML.')
    .argument('<id>', 'the report id (report list)', positiveInt('<id>'))
    .option('--format <format>', 'json or xml', oneOf('--format', ['json', 'xml'] as const), 'json')
    .option('--out <file>', 'write here instead of standard output')
    .action(async (id: number, o: { format: 'json' | 'xml'; out?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const text = await node.reports.export(await node.operator(), id, o.format);
        if (o.out) await writeFile(o.out, text, { mode: 0o600 });
        else process.stdout.write(text);
      }),
    );
  report
    .command('submit-cybertipline')
    .description(
      'Submit a finished report to the CyberTipline (ALLIANCE_CYBERTIPLINE_*): submit, file details (hashes; files only if ALLIANCE_CYBERTIPLINE_UPLOAD_FILES), finish. Run again to resume; never a second report.',
    )
    .argument('<report>', 'the report id or uid (report list)')
    .option('--resubmit', 'start afresh after a retract, or after a submit whose answer was lost (check the CyberTipline first)')
    .option('--retract', 'abandon the opened, unfinished CyberTipline report instead')
    .option('--json', 'print the submission state as JSON')
    .action(async (ref: string, o: { resubmit?: boolean; retract?: boolean; json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        const id = await node.cybertipline.reportId(ref);
        const state = o.retract ? await node.cybertipline.retract(actor, id) : await node.cybertipline.submitNow(actor, id, { resubmit: o.resubmit });
        if (o.json) process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
        else
          process.stdout.write(
            `report ${ref}: CyberTipline ${state.environment} ${state.status}${state.report_id ? ` (report id ${state.report_id})` : ''}${state.error ? `: ${state.error}` : ''}\n`,
          );
        if (state.status === 'rejected' || state.status === 'uncertain') process.exitCode = 1;
      }),
    );
  addCountryReportCommands(report);
  return report;
}
