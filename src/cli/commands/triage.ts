/** `alliance triage`: classify seized media (a folder, a VICS file or a hash list) as known, new, not relevant or unreadable. */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { classify, displayPath, hashFolder, hashListItems, stateSignals, vicsItems, type TriageItem } from '../../cases/triage.js';
import { writeTriageOutputs } from '../../cases/triage-report.js';
import { AllianceError } from '../../errors/catalogue.js';
import { limitsFromEnv } from '../../media/limits.js';
import { withNode } from '../node-command.js';
import { positiveInt } from '../options.js';
import { FailureLog, ProgressBar } from '../progress.js';

interface TriageOptions {
  out: string;
  jobs: number;
  caseNumber: string;
  progress: boolean;
}

export function triageCommand(): Command {
  return new Command('triage')
    .description("Triage seized media against this node's banks and series: known, new (review first), not relevant, unreadable.")
    .argument('<input>', 'a folder (hashed here, all cores), a VICS 2.0 JSON file, or a hash list (one hash, or type,hash, per line)')
    .requiredOption('-o, --out <dir>', 'where to write triage.csv, triage.vics.json, triage.html (and the state file that makes a rerun resume)')
    .option('-j, --jobs <n>', 'worker threads hashing in parallel', positiveInt('--jobs'), availableParallelism())
    .option('--case-number <number>', 'the case number written into the VICS export', '')
    .option('--no-progress', 'no progress bar even on a terminal')
    .addHelpText(
      'after',
      `
An interrupted triage of a folder resumes: run the same command again, and only files without a
result in <dir>/triage-state.jsonl are hashed. Symbolic links inside the folder are never followed.
Examples:
  alliance triage /mnt/evidence/disk1 --out case-17/ --case-number 2026-017
  alliance triage griffeye-export.json --out case-17-vics/`,
    )
    .action(async (input: string, opts: TriageOptions, cmd: Command) =>
      withNode(cmd, { loadIndex: true }, async (node) => {
        const st = await stat(input).catch(() => undefined);
        if (!st) throw new AllianceError('FILE_NOT_FOUND', `${input}: no such file or folder`);
        const started = performance.now();
        const items: TriageItem[] = [];
        let resumed = 0;
        if (st.isDirectory()) {
          const limits = limitsFromEnv();
          const bar = opts.progress && ProgressBar.enabled() ? new ProgressBar() : new FailureLog();
          const r = await hashFolder(input, { out: opts.out, jobs: opts.jobs, progress: bar, hash: { maxImagePixels: node.config.maxImagePixels, maxInMemoryBytes: limits.maxInMemoryBytes, autoOrient: false, secondsPerHash: 1, dihedral: false } });
          resumed = r.resumed;
          for (const f of r.results) {
            const error = f.status === 'hashed' ? null : `${f.error?.message ?? f.status}${f.error?.code ? ` [${f.error.code}]` : ''}`;
            items.push(await classify(node.lookup, displayPath(input, f.path), f.size ?? null, stateSignals(f), error));
          }
        } else if (/\.json$/i.test(input)) {
          for await (const m of vicsItems(input)) items.push(await classify(node.lookup, m.path, null, m.signals, m.error));
        } else {
          for (const h of await hashListItems(input)) items.push(await classify(node.lookup, h.path, null, h.signals, h.error));
        }
        const { paths, vics } = await writeTriageOutputs(opts.out, items, { input, caseNumber: opts.caseNumber });
        node.audit.recordRead(await node.operator(), 'triage', input, { files: items.length }, items.filter((i) => i.class === 'known').length);
        const n = (c: string) => items.filter((i) => i.class === c).length;
        const known = items.filter((i) => i.class === 'known');
        process.stdout.write(
          `triaged ${items.length} files in ${((performance.now() - started) / 1000).toFixed(1)} s${resumed ? ` (${resumed} from the earlier run)` : ''}: ${n('new')} new, ${n('known')} known (${known.filter((i) => i.series.length).length} in a series, ${known.filter((i) => i.victim_identified).length} with a victim identified), ${n('not_relevant')} not relevant, ${n('unreadable')} unreadable\n` +
            `wrote ${paths.csv}, ${paths.vics} (${vics.written} media${vics.skipped ? `, ${vics.skipped} without MD5/SHA1 left out` : ''}), ${paths.html}\n`,
        );
      }),
    );
}
