/**
 * CSV imports through the API run as durable jobs: the upload is kept under the data directory
 * until the job has run, so an import survives a restart and does not hold a request open.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { BankService } from '../banks/bank-service.js';
import { isPermanent, type JobHandler } from './job-runner.js';
import { importCsv } from '../banks/import-csv.js';
import type { Principal } from '../members/principal.js';
import { type Db, enqueueJob, openJobsOfKind } from '../store/index.js';

export const IMPORT_JOB = 'import.csv';

interface ImportJobData {
  bank: string;
  file: string;
  actor: Principal;
}

/** Stores the CSV and queues its import; returns the job id. */
export async function queueCsvImport(db: Db, dataDir: string, actor: Principal, bank: string, csv: string): Promise<number> {
  const dir = join(dataDir, 'imports');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${randomUUID()}.csv`);
  writeFileSync(file, csv, { mode: 0o600 });
  return enqueueJob(db, IMPORT_JOB, { bank, file, actor } satisfies ImportJobData);
}

/**
 * The handler: imports the stored file (all or nothing) and marks the job done in the same
 * transaction, then deletes the file. A crash after the commit leaves a done job (never imported
 * twice) and perhaps its file, which `sweepImportFiles` removes at the next start.
 */
export function importJobHandler(banks: BankService): JobHandler {
  return async (data, ctx) => {
    const { bank, file, actor } = data as ImportJobData;
    try {
      const r = await importCsv(banks, actor, bank, file, (tx, done) => ctx.finish(tx, done));
      rmSync(file, { force: true });
      return { contents: r.contents, skipped: r.skipped };
    } catch (err) {
      // Keep the file for a retry unless the input itself is at fault.
      if (isPermanent(err)) rmSync(file, { force: true });
      throw err;
    }
  };
}

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
