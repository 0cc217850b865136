/**
 * `alliance import <files…> --bank NAME`: bulk-add signals from CSV, VICS 2.0 JSON or NCMEC v2 XML,
 * all or nothing; `alliance export BANK --out FILE`: write a bank as VICS or CSV.
 */
import { Command, Option } from 'commander';
import { importCsv } from '../../banks/import-csv.js';
import { AllianceError } from '../../errors/catalogue.js';
import {
  codecNames,
  codecOf,
  exportBankFile,
  exportCodecOf,
  importExchangeFiles,
  parseCategoryMap,
  VICS_MODELS,
  type VicsModel,
} from '../../exchange/index.js';
import { withNode } from '../node-command.js';

const seconds = (started: number) => ((performance.now() - started) / 1000).toFixed(2);
/** A line on stderr at every 100,000 items (long imports and exports show they are moving). */
const progress = (what: string) => {
  let next = 100_000;
  return (n: number) => {
    if (n < next) return;
    process.stderr.write(`… ${n} ${what}\n`);
    next = (Math.floor(n / 100_000) + 1) * 100_000;
  };
};

export function importCommand(): Command {
  return new Command('import')
    .description('Import signals from CSV, VICS 2.0 JSON (Project VIC) or NCMEC hash-sharing v2 XML pages into a bank, all or nothing.')
    .argument('<files...>', 'the files (several NCMEC pages or VICS files are imported together, in order)')
    .requiredOption('--bank <name>', 'the bank to add the signals to')
    .addOption(
      new Option(
        '--format <format>',
        "the file format (default: what the file's content shows, else its extension: .csv, .jsonl, .json = vics, .xml = ncmec)",
      ).choices(codecNames((c) => c.import !== 'bundle')),
    )
    .option(
      '--category-map <map>',
      'VICS: category numbers to classifications, e.g. "1=uk:A,2=uk:B,3=uk:C,0=legal:not_illegal" (needed for models other than US/Default)',
    )
    .addOption(new Option('--model <model>', 'VICS: the data model, for files that do not name it in @odata.context').choices(VICS_MODELS as string[]))
    .option('--create', 'create the bank if it does not exist')
    .addHelpText(
      'after',
      `
CSV columns: signal_type,signal[,classification][,tags][,note][,content] (tags separated by ";";
  rows with the same "content" value are one content, as "alliance export --format csv" writes).
"alliance hash" output (CSV or JSON Lines) is taken as it is: one content per file, all its hashes.
VICS: Media or Cases exports of any model; MD5/SHA1 become signals, Category a classification,
  every other field is kept with the content and written back by "alliance export --format vics".
NCMEC: queryResult pages; md5/sha1/pdq become signals, A1…B2 the classification, deletions remove.
Every file is checked while it is read; a file with any bad item imports nothing and lists the
bad lines. Importing a newer VICS or NCMEC file updates the items it already brought.
Examples:
  alliance import hashes.csv --bank KNOWN_CSAM --create
  alliance hash photos/ > hashes.csv && alliance import hashes.csv --bank KNOWN_CSAM
  alliance import case-export.json --bank VICS_CASE_12 --create
  alliance import page-1.xml page-2.xml --bank NCMEC --create`,
    )
    .action(async (files: string[], opts: { bank: string; format?: string; categoryMap?: string; model?: VicsModel; create?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const codecs = await Promise.all(files.map((f) => codecOf(f, opts.format)));
        const paths = new Set(codecs.map((c) => c.import));
        if (paths.size > 1 || new Set(codecs.map((c) => (c.import === 'list' ? 'list' : c.name))).size > 1)
          throw new AllianceError(
            'VALIDATION',
            `the files are of different formats (${[...new Set(codecs.map((c) => c.name))].join(', ')}): import them separately or pass --format`,
          );
        const codec = codecs[0];
        if (codec.import === 'bundle')
          throw new AllianceError('VALIDATION', `${files[0]} is a signed bundle from a peer: import it with \`alliance bundle import\``);
        let categories;
        try {
          categories = opts.categoryMap ? parseCategoryMap(opts.categoryMap) : undefined;
        } catch (err) {
          throw new AllianceError('VALIDATION', `--category-map: ${(err as Error).message}`);
        }
        const actor = await node.operator();
        if (opts.create && !(await node.banks.listBanks(actor)).some((b) => b.name === opts.bank)) await node.banks.createBank(actor, { name: opts.bank });
        const started = performance.now();
        if (codec.import === 'list') {
          const r = await importCsv(node.banks, actor, opts.bank, files); // every file is checked before any is imported
          process.stdout.write(
            `imported ${r.contents} contents into ${opts.bank} in ${seconds(started)} s${r.skipped ? `; ${r.skipped} files without any hash skipped (the hasher could not read them)` : ''}\n`,
          );
          return;
        }
        const r = await importExchangeFiles(node.banks, actor, opts.bank, codec.name, files, {
          categories,
          model: opts.model,
          onProgress: progress('items'),
          linkSeries: (tx, links) => node.series.linkNamed(tx, actor, links),
        });
        const series = r.series.created || r.series.linked ? `; series: ${r.series.created} created, ${r.series.linked} links added` : '';
        process.stdout.write(
          `imported ${r.items} items into ${opts.bank} in ${seconds(started)} s: ${r.added} added, ${r.updated} updated, ${r.deleted} deleted${r.unmatchable ? `, ${r.unmatchable} skipped (no MD5, SHA-1 or PDQ fingerprint)` : ''}${series}\n`,
        );
      }),
    );
}

export function exportCommand(): Command {
  return new Command('export')
    .description('Write a bank to a VICS 2.0 JSON (US model) or CSV file.')
    .argument('<bank>', 'the bank')
    .requiredOption('--out <file>', 'the file to write (replaced only once complete)')
    .addOption(new Option('--format <format>', 'vics or csv (default: from the extension of --out)').choices(codecNames((c) => c.exports)))
    .option('--cases', 'VICS: write one case (#Cases) holding the Media instead of a Media list')
    .option('--case-number <number>', 'VICS: the case number of --cases')
    .addHelpText(
      'after',
      '\nVICS carries MD5 and SHA1, and SHA256 and PDQ in Alliance’s extension fields: contents with none of them (vPDQ or keywords only) are counted as skipped.\nExample:\n  alliance export KNOWN_CSAM --out known.json',
    )
    .action(async (bank: string, opts: { out: string; format?: string; cases?: boolean; caseNumber?: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const format = exportCodecOf(opts.out, opts.format).name;
        const actor = await node.operator();
        const started = performance.now();
        const r = await exportBankFile(node.banks, actor, bank, format, opts.out, {
          form: opts.cases ? 'Cases' : 'Media',
          caseNumber: opts.caseNumber,
          onProgress: progress('contents'),
        });
        process.stdout.write(
          `exported ${r.written} contents of ${bank} to ${opts.out} in ${seconds(started)} s${r.skipped ? ` (${r.skipped} skipped: no MD5, SHA-1, SHA-256 or PDQ)` : ''}\n`,
        );
      }),
    );
}
