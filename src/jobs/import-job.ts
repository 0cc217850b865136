/**
 * Imports through the API (CSV, VICS 2.0 JSON, NCMEC v2 XML: the codec registry's names) run as
 * durable jobs: the upload is kept under the data directory until the job has run, so an import
 * survives a restart and does not hold a request open. While it runs, its progress (items
 * imported of the file's total) is kept in this process for GET /jobs/:id.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { BankService } from '../banks/bank-service.js';
import { isPermanent, type JobHandler } from './job-runner.js';
import { importCsv } from '../banks/import-csv.js';
import { ENTRY_READERS, importExchangeFiles } from '../exchange/index.js';
import type { Principal } from '../members/principal.js';
import { type Db, enqueueJob, openJobsOfKind } from '../store/index.js';

export const IMPORT_JOB = 'import.csv';

/** The formats a bank import through the API takes: lists (CSV) and items with an identity (VICS, NCMEC). */
export const IMPORT_FORMATS = ['csv', ...Object.keys(ENTRY_READERS)] as const;

interface ImportJobData {
  bank: string;
  file: string;
  actor: Principal;
  /** Absent in jobs queued before formats: CSV. */
  format?: string;
}

/** A running import's progress: items imported so far of the file's total (null until counted). */
export interface ImportProgress {
  done: number;
  total: number | null;
  /** The member who started it (who may follow it). */
  owner: number | null;
}
const progress = new Map<number, ImportProgress>();

/** The progress of an import job running in this process (undefined for one queued, finished, or run elsewhere). */
export const importProgress = (jobId: number): ImportProgress | undefined => progress.get(jobId);

/** Stores the file and queues its import in the format given; returns the job id. */
export async function queueImport(db: Db, dataDir: string, actor: Principal, bank: string, text: string, format = 'csv'): Promise<number> {
  const dir = join(dataDir, 'imports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${randomUUID()}.${format === 'ncmec' ? 'xml' : format === 'vics' ? 'json' : 'csv'}`);
  writeFileSync(file, text, { mode: 0o600 });
  return enqueueJob(db, IMPORT_JOB, { bank, file, actor, format } satisfies ImportJobData);
}

/** Stores the CSV and queues its import; returns the job id. */
export const queueCsvImport = (db: Db, dataDir: string, actor: Principal, bank: string, csv: string) => queueImport(db, dataDir, actor, bank, csv, 'csv');

/** The items a VICS or NCMEC file holds, read once without importing (the total its progress counts towards). */
async function countItems(format: string, file: string, member: string): Promise<number> {
  const report = { items: 0, added: 0, updated: 0, deleted: 0, unmatchable: 0, series: { created: 0, linked: 0 } };
  let n = 0;
  for await (const batch of ENTRY_READERS[format]([file], member, {}, report)) n += batch.filter((e) => !(e instanceof Error)).length;
  return n;
}

/** The data lines of a CSV (the header and blank lines not counted). */
const csvLines = (text: string) => Math.max(0, text.split(/\r?\n/).filter((l) => l.trim() !== '').length - 1);

/**
 * The handler: imports the stored file (all or nothing) and marks the job done in the same
 * transaction, then deletes the file. A crash after the commit leaves a done job (never imported
 * twice) and perhaps its file, which `sweepImportFiles` removes at the next start.
 */
export function importJobHandler(banks: BankService): JobHandler {
  return async (data, ctx) => {
    const { bank, file, actor, format = 'csv' } = data as ImportJobData;
    const shown: ImportProgress = { done: 0, total: null, owner: actor.memberId };
    progress.set(ctx.jobId, shown);
    try {
      if (format === 'csv') {
        shown.total = csvLines(await readFile(file, 'utf8'));
        const r = await importCsv(banks, actor, bank, file, (tx, done) => ctx.finish(tx, done));
        rmSync(file, { force: true });
        return { contents: r.contents, skipped: r.skipped };
      }
      shown.total = await countItems(format, file, actor.memberName ?? 'local');
      const r = await importExchangeFiles(banks, actor, bank, format, [file], {
        onProgress: (items) => (shown.done = items),
        finish: (tx, report) => ctx.finish(tx, itemsResult(report)),
      });
      rmSync(file, { force: true });
      return itemsResult(r);
    } catch (err) {
      // Keep the file for a retry unless the input itself is at fault.
      if (isPermanent(err)) rmSync(file, { force: true });
      throw err;
    } finally {
      progress.delete(ctx.jobId);
    }
  };
}

/** What a VICS or NCMEC import reports: its items, and what they did to the bank. */
const itemsResult = (r: { items: number; added: number; updated: number; deleted: number; unmatchable: number }) => ({
  items: r.items,
  added: r.added,
  updated: r.updated,
  deleted: r.deleted,
  unmatchable: r.unmatchable,
});

/**
 * Removes uploads whose job is no longer queued or running (done, failed, or gone). Files younger
 * than a minute are left: their job may be being queued right now by another process.
 */
export async function sweepImportFiles(db: Db, dataDir: string): Promise<number> {
  const dir = join(dataDir, 'imports');
  if (!existsSync(dir)) return 0;
  const pending = new Set<string>();
  for (const job of await openJobsOfKind(db, IMPORT_JOB)) pending.add(basename(String((job.data as ImportJobData | null)?.file ?? '')));
  let removed = 0;
  for (const name of readdirSync(dir)) {
    try {
      const st = statSync(join(dir, name));
      if (pending.has(name) || !st.isFile() || Date.now() - st.mtimeMs < 60_000) continue;
      rmSync(join(dir, name), { force: true });
      removed++;
    } catch {
      // gone meanwhile, or not ours to remove: a sweep never stops the node from starting
    }
  }
  return removed;
}
