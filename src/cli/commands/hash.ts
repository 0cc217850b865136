/** `alliance hash <files or folders…>`: hash media with any signal types, CSV or JSONL out. */
import { availableParallelism } from 'node:os';
import { Command, InvalidArgumentError } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { parseTypeList } from '../../hasher/hash-file.js';
import type { OutputFormat } from '../../hasher/output.js';
import { runHash, type HashSummary } from '../../hasher/run.js';
import { limitsFromEnv } from '../../media/limits.js';
import { SIGNAL_TYPES } from '../../signals/index.js';
import { nonNegativeNumber, oneOf, positiveInt } from '../options.js';
import { FailureLog, ProgressBar } from '../progress.js';

interface HashOptions {
  types?: string[];
  format: OutputFormat;
  out?: string;
  jobs: number;
  secondsPerHash: number;
  autoOrient?: boolean;
  dihedral?: boolean;
  fastDecode?: boolean;
  maxPixels: number;
  vpdqDir?: string;
  progress: boolean;
}

const SUMMARY_LIST_LIMIT = 50;

function typeList(text: string): string[] {
  try {
    return parseTypeList(text);
  } catch (err) {
    throw new InvalidArgumentError((err as AllianceError).message);
  }
}

/** The closing summary printed on stderr. */
export function formatSummary(s: HashSummary): string {
  const seconds = s.elapsedMs / 1000;
  const lines = [
    `files ${s.files}, hashed ${s.hashed}, skipped ${s.skipped}, failed ${s.failed}, elapsed ${seconds.toFixed(2)} s, ${(s.files / Math.max(seconds, 1e-9)).toFixed(1)} files/s, peak memory ${Math.round(s.peakRssBytes / 1048576)} MB`,
  ];
  if (s.failed) {
    lines.push(`failed files (${s.failed}):`);
    for (const f of s.failures.slice(0, SUMMARY_LIST_LIMIT)) lines.push(`  ${f.path}: ${f.message} [${f.code}]`);
    if (s.failed > SUMMARY_LIST_LIMIT) lines.push(`  … and ${s.failed - SUMMARY_LIST_LIMIT} more (use --format jsonl to get every error)`);
  }
  return lines.join('\n');
}

export function hashCommand(): Command {
  const limits = limitsFromEnv();
  return new Command('hash')
    .description('Hash images, videos and any files (recursively for folders) with PDQ, vPDQ, MD5, SHA-1, SHA-256.')
    .argument('<paths...>', 'files and folders to hash')
    .option(
      '-t, --types <list>',
      `comma-separated signal types (${[...SIGNAL_TYPES.keys()].join(', ')}); default: pdq for images, vpdq for videos, plus md5, sha1, sha256 for every file`,
      typeList,
    )
    .option(
      '-f, --format <format>',
      'output format: csv (one row per signal, one per frame for vpdq) or jsonl (one object per file)',
      oneOf('--format', ['csv', 'jsonl'] as const),
      'csv',
    )
    .option('-o, --out <file>', 'write the output to FILE instead of stdout')
    .option('-j, --jobs <n>', 'worker threads hashing in parallel', positiveInt('--jobs'), availableParallelism())
    .option('--seconds-per-hash <s>', 'vPDQ: hash one frame per S seconds; 0 hashes every frame', nonNegativeNumber('--seconds-per-hash'), 1)
    .option('--auto-orient', 'apply the EXIF orientation before hashing images (the PDQ reference does not)')
    .option('--dihedral', 'PDQ: also output the 7 rotated/flipped variants (pdq.rotate-90, …)')
    .option(
      '--fast-decode',
      'PDQ: decode large JPEGs at 1/2–1/8 size (DCT scaling): several times faster, hashes close to but not equal to the exact ones; each row says which decode made it (CSV column decode, JSON "decode": "fast")',
    )
    .option(
      '--max-pixels <n>',
      'refuse images declaring more pixels than N (decompression-bomb guard; env ALLIANCE_MAX_IMAGE_PIXELS)',
      positiveInt('--max-pixels'),
      limits.maxImagePixels,
    )
    .option('--vpdq-dir <dir>', "also write each video's vPDQ in the reference form to DIR/<name>.vpdq.txt")
    .option('--no-progress', 'no progress bar even on a terminal')
    .addHelpText(
      'after',
      `
Exit status: 0 when every file hashed, 1 when some failed (the summary lists them), 2 for usage errors.
Examples:
  alliance hash photos/ --types pdq --format csv > pdq.csv
  alliance hash clip.mp4 --types vpdq --seconds-per-hash 0 --vpdq-dir hashes/
  alliance hash seized/ --format jsonl --out seized.jsonl`,
    )
    .action(async (paths: string[], opts: HashOptions) => {
      const bar = opts.progress && ProgressBar.enabled() ? new ProgressBar() : new FailureLog();
      const summary = await runHash(
        {
          inputs: paths,
          types: opts.types ?? [],
          format: opts.format,
          out: opts.out,
          jobs: opts.jobs,
          secondsPerHash: opts.secondsPerHash,
          autoOrient: Boolean(opts.autoOrient),
          dihedral: Boolean(opts.dihedral),
          fastDecode: Boolean(opts.fastDecode),
          maxImagePixels: opts.maxPixels,
          maxInMemoryBytes: limits.maxInMemoryBytes,
          vpdqDir: opts.vpdqDir,
        },
        process.stdout,
        bar,
      );
      process.stderr.write(`${formatSummary(summary)}\n`);
      process.exitCode = summary.failed > 0 ? 1 : 0;
    });
}
