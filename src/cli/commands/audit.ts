/** `alliance audit`: verify the keyed hash chain and its signed checkpoints, sign a checkpoint, list entries. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { checkCheckpointLines, parseCheckpointLines } from '../../audit/checkpoints.js';
import { AllianceError } from '../../errors/catalogue.js';
import { parsePublicKey } from '../../exchange/index.js';
import { withNode } from '../node-command.js';

export function auditCommand(): Command {
  const audit = new Command('audit').description('The hash-chained audit log of every write and lookup, anchored by signed checkpoints.');
  audit
    .command('verify')
    .description(
      'Verify the whole chain (keyed hashes, links, head) and check it against every signed checkpoint in data/audit-checkpoints.jsonl and the latest each witness peer kept (ALLIANCE_AUDIT_WITNESSES). Names the first entry that no longer matches. Exit 0 intact, 1 broken.',
    )
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.verifyAudit();
        const anchored = r.checkpoints?.checked
          ? `, checked against ${r.checkpoints.checked} signed checkpoint(s) (latest: entry ${r.checkpoints.latest_entry} at ${r.checkpoints.latest_at}${r.checkpoints.witnesses ? `, ${r.checkpoints.witnesses} from witnesses` : ''})`
          : ', no signed checkpoint yet (alliance audit checkpoint)';
        if (r.ok) process.stdout.write(`audit chain intact: ${r.entries} entries${anchored}\n`);
        else {
          process.stdout.write(`audit chain BROKEN at entry ${r.problem?.id}: ${r.problem?.reason}\n`);
          process.exitCode = 1;
        }
        for (const w of r.unreachable_witnesses) process.stderr.write(`witness ${w.witness} could not be asked: ${w.error}\n`);
        for (const w of r.witness_errors) process.stderr.write(`witness ${w.witness} holds something that is not this node's checkpoint: ${w.error}\n`);
      }),
    );
  audit
    .command('checkpoint')
    .description(
      'Sign a checkpoint of the chain head now (serve also does it every ALLIANCE_AUDIT_CHECKPOINT_MS and at shutdown) and send it to the witness peers.',
    )
    .action(async (_o: unknown, cmd: Command) =>
      withNode(cmd, {}, async (node) => {
        const r = await node.checkpointAudit();
        if (!r.checkpoint) process.stdout.write('the audit log has no entry yet: nothing to sign\n');
        else
          process.stdout.write(`${r.written ? 'signed' : 'already signed'}: entry ${r.checkpoint.entry}, hash ${r.checkpoint.hash}, at ${r.checkpoint.at}\n`);
        for (const f of r.witness_failures) process.stderr.write(`witness ${f.witness} did not take it: ${f.error}\n`);
        if (r.witness_failures.length) process.exitCode = 1;
      }),
    );
  audit
    .command('checkpoints')
    .argument('<file>', 'a checkpoint file (data/audit-checkpoints.jsonl, or a copy)')
    .requiredOption('--key <public-key>', "the node's public key (ed25519:…, from alliance identity)")
    .description(
      'Check a checkpoint file with the public key alone (no node, no database): every line signed by that key, entries never going back. Exit 0 good, 1 not.',
    )
    .action((file: string, o: { key: string }) => {
      parsePublicKey(o.key);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new AllianceError('FILE_UNREADABLE', `cannot read ${file}: ${(err as Error).message}`);
      }
      try {
        const all = checkCheckpointLines(parseCheckpointLines(text), o.key);
        const last = all.at(-1);
        process.stdout.write(
          `${all.length} checkpoint(s), all signed by ${o.key.slice(0, 20)}…${last ? `; latest: member ${last.member}, entry ${last.entry}, hash ${last.hash}, at ${last.at}` : ''}\n`,
        );
      } catch (err) {
        process.stdout.write(`checkpoints NOT good: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
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
