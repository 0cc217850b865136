/** `alliance audit verify`: check the audit log's hash chain. */
import { Command } from 'commander';
import { withNode } from '../node-command.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('The hash-chained audit log of every write and lookup.');
  audit
    .command('verify')
    .description('Verify the whole chain; names the first entry that was edited or deleted. Exit 0 intact, 1 broken.')
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.audit.verify();
        if (r.ok) process.stdout.write(`audit chain intact: ${r.entries} entries\n`);
        else {
          process.stdout.write(`audit chain BROKEN after ${r.entries} good entries: ${r.problem?.reason}\n`);
          process.exitCode = 1;
        }
      }),
    );
  audit
    .command('list')
    .description('The latest entries, newest first.')
    .option('--limit <n>', 'how many', '20')
    .action(async (opts: { limit: string }, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        for (const e of await node.audit.list({ limit: Math.min(1000, Number(opts.limit) || 20) })) {
          process.stdout.write(`${e.id}\t${new Date(e.at).toISOString()}\t${e.actor}\t${e.action}\t${e.target ?? ''}\t${e.result_count ?? ''}\n`);
        }
      }),
    );
  return audit;
}
