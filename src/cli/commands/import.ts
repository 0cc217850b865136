/** `alliance import <csv> --bank NAME`: bulk-add signals from a CSV file, all or nothing. */
import { Command } from 'commander';
import { importCsv } from '../../banks/import-csv.js';
import { withNode } from '../node-command.js';

export function importCommand(): Command {
  return new Command('import')
    .description('Import signals from CSV (columns signal_type,signal[,classification][,tags][,note]; tags separated by ";").')
    .argument('<csv>', 'the CSV file')
    .requiredOption('--bank <name>', 'the bank to add the signals to')
    .option('--create', 'create the bank if it does not exist')
    .addHelpText('after', '\nThe whole file is checked first; a file with any bad row imports nothing and lists the bad lines.\nExample:\n  alliance import hashes.csv --bank KNOWN_CSAM --create')
    .action(async (csv: string, opts: { bank: string; create?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const actor = await node.operator();
        if (opts.create && !(await node.banks.listBanks(actor)).some((b) => b.name === opts.bank)) await node.banks.createBank(actor, { name: opts.bank });
        const started = performance.now();
        const n = await importCsv(node.banks, actor, opts.bank, csv);
        process.stdout.write(`imported ${n} contents into ${opts.bank} in ${((performance.now() - started) / 1000).toFixed(2)} s\n`);
      }),
    );
}
