/** `alliance report build|narrative|sign|submit|pdf|csv|periodic`: the country's periodic report on the four targets. */
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { NARRATIVE_FIELDS, type CountryReportView } from '../../reporting/country-report.js';
import { formatGrowth, formatValue } from '../../reporting/format.js';
import { INDICATORS } from '../../reporting/indicators.js';
import { reportCsv, reportHtml, reportPdf } from '../../reporting/report-render.js';
import { withNode } from '../node-command.js';
import { positiveInt } from '../options.js';

function summary(v: CountryReportView): string {
  const r = v.report;
  const lines = [`country report ${v.id}: ${r.member} ${v.period} (baseline ${r.baseline}), ${v.status}${v.submitted_to ? ` to ${v.submitted_to}` : ''}`];
  for (const i of INDICATORS)
    lines.push(
      `  ${i.id.padEnd(42)} ${formatValue(i.unit, r.indicators.values[i.id]).padStart(12)}  ${i.unit === 'count' ? formatGrowth(r.growth[i.id]) : ''}`,
    );
  return `${lines.join('\n')}\n`;
}

/** Adds the country-report subcommands to `alliance report` (incident reports keep list and export). */
export function addCountryReportCommands(report: Command): void {
  report
    .command('build')
    .description("Build this period's country report (a draft: indicators, MNR self-assessment, narrative) for review")
    .requiredOption('--period <period>', 'a quarter (2026-Q3), a month (2026-07) or a year (2026)')
    .option('--baseline <period>', 'compare with this earlier period (default: the same period a year before)')
    .action(async (o: { period: string; baseline?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const built = await node.countryReports.build(await node.operator(), o.period, o.baseline);
        process.stdout.write(summary(built));
        for (const w of built.warnings) process.stderr.write(`warning: ${w}\n`);
      }),
    );
  report
    .command('narrative')
    .description(`Set a draft's narrative from a JSON file ({${NARRATIVE_FIELDS.map((f) => `"${f}": "…"`).join(', ')}})`)
    .argument('<id>', 'the country report id (report periodic)', positiveInt('<id>'))
    .requiredOption('--file <file>', 'the narrative as JSON')
    .action(async (id: number, o: { file: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        let fields: unknown;
        try {
          fields = JSON.parse(await readFile(o.file, 'utf8'));
        } catch (err) {
          throw new AllianceError('REPORTING_INVALID', `${o.file}: not a JSON object of narrative fields (${(err as Error).message})`);
        }
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields))
          throw new AllianceError('REPORTING_INVALID', `${o.file}: a JSON object of narrative fields`);
        const v = await node.countryReports.narrate(await node.operator(), id, fields as Record<string, string>);
        process.stdout.write(`country report ${id}: narrative ${Object.keys(v.report.narrative).join(', ') || '(empty)'}\n`);
      }),
    );
  report
    .command('sign')
    .description("Sign a reviewed draft with this node's key (final: the report no longer changes)")
    .argument('<id>', 'the country report id', positiveInt('<id>'))
    .action(async (id: number, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const v = await node.countryReports.sign(await node.operator(), id);
        process.stdout.write(`country report ${id} signed (${v.public_key})\n`);
        for (const w of v.warnings) process.stderr.write(`warning: ${w}\n`);
      }),
    );
  report
    .command('submit')
    .description("Submit a signed report to the secretariat's node over the federation link")
    .argument('<id>', 'the country report id', positiveInt('<id>'))
    .option('--to <peer>', 'the secretariat peer (default: ALLIANCE_SECRETARIAT_PEER)')
    .action(async (id: number, o: { to?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const v = await node.countryReports.submit(await node.operator(), id, o.to);
        process.stdout.write(`country report ${id} submitted to ${v.submitted_to}\n`);
      }),
    );
  for (const [name, what] of [
    ['pdf', 'PDF (printed by headless Chromium)'],
    ['csv', 'CSV (one row per figure)'],
  ] as const) {
    report
      .command(name)
      .description(`Write a country report as ${what}`)
      .argument('<id>', 'the country report id', positiveInt('<id>'))
      .requiredOption('--out <file>', 'where to write it')
      .action(async (id: number, o: { out: string }, cmd: Command) =>
        withNode(cmd, {}, async (node) => {
          const v = await node.countryReports.get(await node.operator(), id);
          const body = name === 'pdf' ? await reportPdf(reportHtml(v.report, { signed: v.signature !== null, key: v.public_key })) : reportCsv(v.report);
          await writeFile(o.out, body, { mode: 0o600 });
          process.stdout.write(`wrote ${o.out}\n`);
        }),
      );
  }
  report
    .command('periodic')
    .description('List the country reports of this node (drafts, signed, submitted)')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const v of await node.countryReports.list(await node.operator()))
          process.stdout.write(`${v.id}\t${v.period}\t${v.status}\t${v.submitted_to ?? '-'}\t${v.created_at}\n`);
      }),
    );
}
