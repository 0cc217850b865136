/**
 * CSV imports through the API run as durable jobs: the upload is kept under the data directory
 * until the job has run, so an import survives a restart and does not hold a request open.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BankService } from '../banks/bank-service.js';
import { isPermanent } from './job-runner.js';
import { importCsv } from '../banks/import-csv.js';
import type { Principal } from '../members/principal.js';
import type { Db } from '../store/database.js';
import { enqueueJob } from '../store/jobs.js';

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

/** The handler: imports the stored file (all or nothing), then deletes it. */
export function importJobHandler(banks: BankService) {
  return async (data: unknown): Promise<{ contents: number }> => {
    const { bank, file, actor } = data as ImportJobData;
    try {
      const contents = await importCsv(banks, actor, bank, file);
      rmSync(file, { force: true });
      return { contents };
    } catch (err) {
      // Keep the file for a retry unless the input itself is at fault.
      if (isPermanent(err)) rmSync(file, { force: true });
      throw err;
    }
  };
}
