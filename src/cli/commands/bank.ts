/** `alliance bank …`: create, list, rename, enable/disable, set the enabled ratio, delete. */
import { Command, InvalidArgumentError } from 'commander';
import { withNode } from '../node-command.js';

function ratio(text: string): number {
  const r = Number(text);
  if (!Number.isFinite(r) || r < 0 || r > 1) throw new InvalidArgumentError('the ratio is a number from 0 to 1.');
  return r;
}

export function bankCommand(): Command {
  const bank = new Command('bank').description('Banks of known material (and negative banks: allow-lists).');
  bank
    .command('create <name>')
    .description('Create a bank (name: ^[A-Z0-9_]+$).')
    .option('--negative', "an allow-list: its matches suppress the other banks' matches")
    .option('--description <text>', 'what the bank holds', '')
    .action(async (name: string, opts: { negative?: boolean; description: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const b = await node.banks.createBank(await node.operator(), { name, kind: opts.negative ? 'negative' : 'positive', description: opts.description });
        process.stdout.write(`bank ${b.name} (${b.kind}) created\n`);
      }),
    );
  bank
    .command('list')
    .description('List banks with content and signal counts.')
    .option('--json', 'as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const banks = await node.banks.listBanks(await node.operator());
        if (opts.json) return void process.stdout.write(`${JSON.stringify(banks, null, 2)}\n`);
        for (const b of banks) {
          const signals =
            Object.entries(b.signal_counts)
              .map(([t, n]) => `${t} ${n}`)
              .join(', ') || 'no signals';
          process.stdout.write(
            `${b.name}\t${b.kind}\t${b.matching_enabled ? `matching ${b.enabled_ratio * 100} %` : 'disabled'}\t${b.content_count} contents\t${signals}\n`,
          );
        }
      }),
    );
  bank
    .command('rename <name> <new-name>')
    .description('Rename a bank (its content follows).')
    .action(async (name: string, newName: string, _o: unknown, cmd: Command) =>
      withNode(cmd, { loadIndex: false }, async (node) => {
        await node.banks.updateBank(await node.operator(), name, { name: newName });
        process.stdout.write(`bank ${name} renamed to ${newName}\n`);
      }),
    );
  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    bank
      .command(`${verb} <name>`)
      .description(`${verb === 'disable' ? 'Stop' : 'Resume'} matching against a bank (its content stays).`)
      .action(async (name: string, _o: unknown, cmd: Command) =>
        withNode(cmd, {}, async (node) => {
          await node.banks.updateBank(await node.operator(), name, { matching_enabled: enabled });
          process.stdout.write(`bank ${name} matching ${enabled ? 'enabled' : 'disabled'}\n`);
        }),
      );
  }
  bank
    .command('ratio')
    .description("Let only a share (0…1) of the bank's content match, e.g. for a gradual roll-out.")
    .argument('<name>')
    .argument('<ratio>', 'a number from 0 to 1', ratio)
    .action(async (name: string, r: number, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        await node.banks.updateBank(await node.operator(), name, { enabled_ratio: r });
        process.stdout.write(`bank ${name} enabled ratio ${r}\n`);
      }),
    );
  bank
    .command('delete <name>')
    .description('Delete a bank and all its content and signals.')
    .action(async (name: string, _o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.banks.deleteBank(await node.operator(), name);
        process.stdout.write(`bank ${name} deleted (${r.signals_removed} signals)\n`);
      }),
    );
  return bank;
}
