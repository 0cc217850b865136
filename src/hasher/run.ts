/**
 * `alliance hash` as a library call: walk the inputs, hash every file on the worker pool, write
 * results in walk order as they complete, report progress, and return the summary. A bad file is
 * a failed result; the run always continues to the end.
 */
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Writable } from 'node:stream';
import { AllianceError, fromErrno } from '../errors/catalogue.js';
import type { FileResult, HashRequest } from './hash-file.js';
import { formatter, type InternalFormat } from './output.js';
import { WorkerPool } from '../compute/worker-pool.js';
import { isProblem, walkInputs, type FileEntry } from './walk.js';

export interface HashRunOptions extends HashRequest {
  inputs: string[];
  /** Files already walked (hashed instead of walking `inputs`). */
  entries?: FileEntry[];
  format: InternalFormat;
  /** Write here instead of `stdout`. */
  out?: string;
  jobs: number;
  /** Also write each video's vPDQ in the reference text form to DIR/<name>.vpdq.txt. */
  vpdqDir?: string;
}

export interface ProgressSink {
  walking(found: number): void;
  start(total: number): void;
  update(done: number, current: string, fileFraction?: number): void;
  /** A file failed (shown as it happens, not only in the summary). */
  failed(path: string, code: string, message: string): void;
  finish(): void;
}

export interface HashSummary {
  files: number;
  hashed: number;
  skipped: number;
  failed: number;
  elapsedMs: number;
  /** Peak resident memory of the process (all worker threads included), in bytes. */
  peakRssBytes: number;
  failures: Array<{ path: string; code: string; message: string }>;
  skips: Array<{ path: string; message: string }>;
}

async function openOutput(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'w');
  } catch (err) {
    throw new AllianceError('USAGE', `cannot write --out ${path}: ${fromErrno(err as NodeJS.ErrnoException).message}`);
  }
}

async function write(stream: Writable, text: string): Promise<void> {
  if (text && !stream.write(text)) await once(stream, 'drain');
}

/** Reference file name for a video's vPDQ in `dir`, made unique within the run. */
function vpdqFileName(dir: string, path: string, used: Set<string>): string {
  let name = `${basename(path)}.vpdq.txt`;
  for (let i = 2; used.has(name) || existsSync(join(dir, name)); i++) name = `${basename(path)}-${i}.vpdq.txt`;
  used.add(name);
  return join(dir, name);
}

/**
 * Runs a hash job.
 * @example const summary = await runHash({ inputs: ['imgs/'], format: 'csv', jobs: 4, ...defaults }, process.stdout);
 */
export async function runHash(opts: HashRunOptions, stdout: Writable, progress?: ProgressSink): Promise<HashSummary> {
  const started = performance.now();
  // Open the output first: a bad --out path is a usage error before any work is done.
  const outFile = opts.out ? await openOutput(opts.out) : undefined;
  const { items, files } = opts.entries ? { items: opts.entries, files: opts.entries.length } : await walkInputs(opts.inputs, (n) => progress?.walking(n));
  const out: Writable = outFile ? outFile.createWriteStream() : stdout;
  const fmt = formatter(opts.format, Boolean(opts.fastDecode));
  if (opts.vpdqDir) mkdirSync(opts.vpdqDir, { recursive: true });
  const vpdqNames = new Set<string>();
  const summary: HashSummary = { files: 0, hashed: 0, skipped: 0, failed: 0, elapsedMs: 0, peakRssBytes: 0, failures: [], skips: [] };
  const request: HashRequest = {
    types: opts.types,
    maxImagePixels: opts.maxImagePixels,
    maxInMemoryBytes: opts.maxInMemoryBytes,
    autoOrient: opts.autoOrient,
    secondsPerHash: opts.secondsPerHash,
    dihedral: opts.dihedral,
    fastDecode: opts.fastDecode,
  };

  const pool = new WorkerPool(Math.max(1, Math.min(opts.jobs, files || 1)));
  const results: Array<Promise<FileResult> | undefined> = new Array(items.length);
  const window = pool.size * 2;
  let launched = 0;
  let done = 0;
  const launch = () => {
    while (launched < items.length && launched - done < window) {
      const item = items[launched];
      results[launched] = isProblem(item)
        ? Promise.resolve({ path: item.path, status: item.status, signals: {}, error: item.error.toJSON() })
        : pool.hash(item, request, (fraction) => progress?.update(done, item.path, fraction));
      launched++;
    }
  };

  try {
    progress?.start(items.length);
    await write(out, fmt.header());
    launch();
    for (let i = 0; i < items.length; i++) {
      const r = await results[i]!;
      results[i] = undefined;
      done++;
      launch();
      summary.files++;
      if (r.status === 'hashed') summary.hashed++;
      else if (r.status === 'skipped') {
        summary.skipped++;
        summary.skips.push({ path: r.path, message: r.error?.message ?? '' });
      } else {
        summary.failed++;
        const failure = { path: r.path, code: r.error?.code ?? 'INTERNAL', message: r.error?.message ?? 'unknown failure' };
        summary.failures.push(failure);
        progress?.failed(failure.path, failure.code, failure.message);
      }
      await write(out, fmt.format(r));
      const vpdq = r.signals.vpdq;
      if (opts.vpdqDir && vpdq) writeFileSync(vpdqFileName(opts.vpdqDir, r.path, vpdqNames), `${vpdq.value}\n`);
      progress?.update(done, r.path);
    }
  } finally {
    await pool.close();
    if (outFile) {
      out.end();
      await once(out, 'close');
    }
    progress?.finish();
  }
  summary.elapsedMs = performance.now() - started;
  summary.peakRssBytes = process.resourceUsage().maxRSS * 1024;
  return summary;
}
