/** `alliance triage`: classify seized media (a folder, a VICS file or a hash list) as known, new, not relevant or unreadable. */
import { stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { hashFolder, hashListInputs, vicsInputs } from '../../cases/triage.js';
import type { TriageRequest } from '../../cases/triage-service.js';
import { AllianceError } from '../../errors/catalogue.js';
import { limitsFromEnv } from '../../media/limits.js';
import { sniffCodec } from '../../exchange/index.js';
import { withNode } from '../node-command.js';
import { positiveInt } from '../options.js';
import { FailureLog, ProgressBar } from '../progress.js';

interface TriageOptions {
  out: string;
  jobs: number;
  caseNumber: string;
  progress: boolean;
  fastDecode?: boolean;
}

export function triageCommand(): Command {
  return new Command('triage')
    .description("Triage seized media against this node's banks and series: known, new (review first), not relevant, unreadable.")
    .argument('<input>', 'a folder (hashed here, all cores), a VICS 2.0 JSON file, or a hash list (one hash, or type,hash, per line)')
    .requiredOption('-o, --out <dir>', 'where to write triage.csv, triage.vics.json, triage.html (and the state file that makes a rerun resume)')
    .option('-j, --jobs <n>', 'worker threads hashing in parallel', positiveInt('--jobs'), availableParallelism())
    .option('--case-number <number>', 'the case number written into the VICS export', '')
    .option(
      '--fast-decode',
      'PDQ: decode large JPEGs at 1/2–1/8 size (several times faster; hashes close to, not equal to, the exact ones; the state file marks them "decode": "fast")',
    )
    .option('--no-progress', 'no progress bar even on a terminal')
    .addHelpText(
      'after',
      `
Files are matched with every signal type the node has: PDQ for images, vPDQ for videos, MD5,
SHA-1 and SHA-256 for every file (a file that cannot be decoded keeps its digests). A known file
carries what its matched content says: classification, series, the VICS flags (victim and offender
identified, distributed, self-generated, suspected), tags and comments; where a bank's VICS record
and the series registry disagree, the newer statement wins and triage.csv names its source.
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
        const common = { input, caseNumber: opts.caseNumber, out: opts.out };
        let request: TriageRequest;
        if (st.isDirectory()) {
          const limits = limitsFromEnv();
          const bar = opts.progress && ProgressBar.enabled() ? new ProgressBar() : new FailureLog();
          const r = await hashFolder(input, {
            out: opts.out,
            jobs: opts.jobs,
            progress: bar,
            hash: {
              maxImagePixels: node.config.maxImagePixels,
              maxInMemoryBytes: limits.maxInMemoryBytes,
              autoOrient: false,
              secondsPerHash: 1,
              dihedral: false,
              fastDecode: Boolean(opts.fastDecode),
            },
          });
          request = { ...common, kind: 'folder', inputs: r.inputs, resumed: r.resumed };
        } else if ((await triageKindOf(input)) === 'vics') request = { ...common, kind: 'vics', inputs: counted(vicsInputs(input), opts.progress) };
        else request = { ...common, kind: 'hashes', inputs: counted(hashListInputs(input), opts.progress) };
        const { run, outputs } = await node.triage.run(await node.operator(), request);
        const { summary: s, paths, vics } = outputs;
        process.stdout.write(
          `triaged ${s.files} files in ${((performance.now() - started) / 1000).toFixed(1)} s${run.resumed ? ` (${run.resumed} from the earlier run)` : ''}: ${s.counts.new} new, ${s.counts.known} known (${s.knownInSeries} in a series, ${s.knownWithVictim} with a victim identified), ${s.counts.not_relevant} not relevant, ${s.counts.unreadable} unreadable\n` +
            `wrote ${paths.csv}, ${paths.vics} (${vics.written} media${vics.skipped ? `, ${vics.skipped} without MD5/SHA1 left out` : ''}), ${paths.html}\n` +
            `recorded as triage run ${run.id} (web UI: Triage)\n`,
        );
      }),
    );
}

/** What a file given to triage holds: media records (VICS, told by its content, else a .json name) or a list of hashes. */
async function triageKindOf(path: string): Promise<'vics' | 'hashes'> {
  return (await sniffCodec(path))?.triage ?? (/\.json$/i.test(path) ? 'vics' : 'hashes');
}

/** Passes entries through, showing how many were read on stderr (a terminal's progress line, else every 100,000). */
async function* counted<T>(items: AsyncIterable<T>, progress: boolean): AsyncGenerator<T> {
  const tty = progress && ProgressBar.enabled();
  let n = 0;
  for await (const item of items) {
    yield item;
    if (++n % (tty ? 1000 : 100_000) === 0) process.stderr.write(tty ? `\r${n} entries classified` : `${n} entries classified\n`);
  }
  if (tty && n >= 1000) process.stderr.write('\n');
}
