/**
 * `alliance compare A B`: are two media files, hashes or vPDQ hash files a match? Each side is a
 * file (hashed with the perceptual type of its kind, or read as a vPDQ/hash text file) or a hash
 * literal. Exit status 0 = match, 1 = no match, 2 = could not compare.
 */
import { readFile, stat } from 'node:fs/promises';
import { Command } from 'commander';
import { AllianceError } from '../../errors/catalogue.js';
import { hashFile } from '../../hasher/hash-file.js';
import { limitsFromEnv } from '../../media/limits.js';
import type { MediaKind } from '../../media/detect.js';
import { getSignalType, recogniseType, SIGNAL_TYPES, type SignalType } from '../../signals/index.js';
import { nonNegativeNumber, oneOf, typeOfHexLiteral } from '../options.js';

interface CompareOptions {
  type?: string;
  threshold?: number;
  secondsPerHash: number;
  autoOrient?: boolean;
  json?: boolean;
}

interface Side {
  type: SignalType;
  value: string;
  source: string;
}

/** The type `compare` uses for a file of this kind when none is named (the one declaring itself primary for it). */
function primaryTypeFor(kind: MediaKind): SignalType | undefined {
  return [...SIGNAL_TYPES.values()].find((t) => t.primaryFor?.includes(kind));
}

/** A hash literal (or one-hash text file content) of a known or inferred type. */
function literal(text: string, source: string, typeName?: string): Side {
  const trimmed = text.trim();
  const name = typeName ?? typeOfHexLiteral(trimmed);
  if (!name) throw new AllianceError('USAGE', `${source}: neither a file nor a hash of a recognisable type (give --type)`);
  const type = getSignalType(name);
  return { type, value: type.normalize(trimmed), source };
}

async function resolveSide(arg: string, opts: CompareOptions, typeName?: string): Promise<Side> {
  const st = await stat(arg).catch(() => undefined);
  if (!st?.isFile()) return literal(arg, arg, typeName);
  const limits = limitsFromEnv();
  // Text files hold hashes: a vPDQ reference file, or a single hash.
  const head = (await readFile(arg)).subarray(0, 4096).toString('utf8');
  const textType =
    st.size < 64 * 1024 * 1024
      ? recogniseType(
          head,
          [...SIGNAL_TYPES.values()].filter((t) => t.comparison === 'frames'),
        )
      : undefined;
  if (textType) return { type: textType, value: textType.normalize(await readFile(arg, 'utf8')), source: arg };
  if (st.size <= 200 && /^\s*[0-9a-fA-F]{32,64}\s*$/.test(head)) return literal(head, arg, typeName);
  const r = await hashFile(
    { path: arg, size: st.size },
    {
      types: typeName ? [typeName] : [],
      maxImagePixels: limits.maxImagePixels,
      maxInMemoryBytes: limits.maxInMemoryBytes,
      autoOrient: Boolean(opts.autoOrient),
      secondsPerHash: opts.secondsPerHash,
      dihedral: false,
    },
  );
  if (r.error) throw new AllianceError(r.error.code, `${arg}: ${r.error.message}`);
  const name = typeName ?? primaryTypeFor(r.media ?? 'other')?.name ?? '?';
  const value = r.signals[name];
  if (!value) throw new AllianceError('SIGNAL_NOT_APPLICABLE', `${arg}: no ${name} signal for ${r.media ?? 'this'} content`);
  return { type: getSignalType(name), value: value.value, source: arg };
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('Compare two media files, hash literals or vPDQ hash files and say whether they match.')
    .argument('<a>', 'query: a file, a hash, or a .vpdq.txt file')
    .argument('<b>', 'compared: a file, a hash, or a .vpdq.txt file')
    .option(
      '-t, --type <type>',
      `signal type to compare (${[...SIGNAL_TYPES.keys()].join(', ')}); default: pdq for images, vpdq for videos, inferred for literals`,
      oneOf('--type', [...SIGNAL_TYPES.keys()]),
    )
    .option(
      '--threshold <n>',
      'match threshold (pdq: max distance, default 31; vpdq: min % of query frames matched, default 80)',
      nonNegativeNumber('--threshold'),
    )
    .option('--seconds-per-hash <s>', 'vPDQ of video files: one frame per S seconds; 0 = every frame', nonNegativeNumber('--seconds-per-hash'), 1)
    .option('--auto-orient', 'apply EXIF orientation to images before hashing')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExit status: 0 match, 1 no match, 2 cannot compare.\nExample:\n  alliance compare original.mp4 reupload.mp4 --seconds-per-hash 0')
    .action(async (a: string, b: string, opts: CompareOptions) => {
      const left = await resolveSide(a, opts, opts.type);
      const right = await resolveSide(b, opts, opts.type ?? left.type.name);
      if (left.type !== right.type) throw new AllianceError('USAGE', `cannot compare ${left.type.name} with ${right.type.name}`);
      const r = left.type.compare(left.value, right.value, opts.threshold);
      const threshold = opts.threshold ?? left.type.defaultThreshold;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ type: left.type.name, match: r.match, distance: r.distance, threshold, ...r.detail })}\n`);
      } else {
        process.stdout.write(`${left.type.name}: ${left.type.describe(r, threshold)}\n`);
      }
      process.exitCode = r.match ? 0 : 1;
    });
}
