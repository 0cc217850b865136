/** `alliance lookup <file or hash>`: match against this node's banks, with the reasons. */
import { stat } from 'node:fs/promises';
import { Command } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { hashFile } from '../../hasher/hash-file.js';
import { describeProvenance, type LookupResult } from '../../match/lookup-service.js';
import { getSignalType } from '../../signals/index.js';
import { withNode } from '../node-command.js';
import { nonNegativeNumber, typeOfHexLiteral } from '../options.js';

export function lookupCommand(): Command {
  return new Command('lookup')
    .description("Look up a media file (hashed here) or a hash in this node's banks.")
    .argument('<file-or-hash>', 'a file to hash, or a hash (type inferred from its length, or --type)')
    .option('-t, --type <type>', 'signal type of a hash literal (pdq, md5, sha1, sha256, vpdq)')
    .option('--bank <name...>', 'only these banks')
    .option('--threshold <n>', "override the signal type's default threshold", nonNegativeNumber('--threshold'))
    .option('--json', 'print the full results as JSON')
    .addHelpText('after', '\nExit status: 0 a match, 1 no match, 2 error.')
    .action(async (arg: string, opts: { type?: string; bank?: string[]; threshold?: number; json?: boolean }, cmd: Command) =>
      withNode(cmd, { loadIndex: true }, async (node) => {
        const st = await stat(arg).catch(() => undefined);
        let signals: Array<[string, string]>;
        if (st?.isFile()) {
          const r = await hashFile(
            { path: arg, size: st.size },
            {
              types: opts.type ? [opts.type] : [],
              maxImagePixels: node.config.maxImagePixels,
              maxInMemoryBytes: 256 << 20,
              autoOrient: false,
              secondsPerHash: 1,
              dihedral: false,
            },
          );
          signals = Object.entries(r.signals).map(([t, s]) => [t, s.value]);
          if (r.error && signals.length === 0) throw new AllianceError(r.error.code, `${arg}: ${r.error.message}`);
          // A file that cannot be decoded still has bytes: it is looked up by its digests.
          if (r.error) process.stderr.write(`warning: ${arg}: ${r.error.message} [${r.error.code}]; looked up by ${signals.map(([t]) => t).join(', ')} only\n`);
        } else {
          const name = opts.type ?? typeOfHexLiteral(arg);
          if (!name) throw new AllianceError('USAGE', `"${arg.slice(0, 80)}" is neither a file nor a hash of a known length; give --type`);
          signals = [[getSignalType(name).name, arg]];
        }
        const results: LookupResult[] = [];
        for (const [type, value] of signals)
          results.push(await node.lookup.lookup(type, value, { banks: opts.bank, threshold: opts.threshold, knownBanks: true }));
        node.audit.recordRead(
          await node.operator(),
          'lookup',
          signals.map(([t]) => t).join(','),
          { source: 'cli' },
          results.reduce((n, r) => n + r.matches.length, 0),
        );
        if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
        else {
          for (const r of results) {
            process.stdout.write(`${r.signal_type}: ${r.matches.length} match${r.matches.length === 1 ? '' : 'es'}\n`);
            for (const line of r.explanation) process.stdout.write(`  ${line}\n`);
            // Where each match comes from: a received item names its origin, not only the local bank.
            for (const m of [...r.matches, ...r.allow_listed])
              process.stdout.write(`  content ${m.content_id} in ${m.bank}: ${describeProvenance(m.provenance)}\n`);
          }
        }
        process.exitCode = results.some((r) => r.matches.length > 0) ? 0 : 1;
      }),
    );
}
