/** Triage runs and their items (what the UI's triage results page reads). */
import { sql } from 'kysely';
import type { Insertable, Updateable } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import { insertRows } from './bulk.js';
import type { DialectName } from './database.js';
import type { TriageItemRow, TriageRunRow, TriageRunsTable } from './triage-schema.js';
import type { Executor } from './util.js';

export async function insertRun(db: Executor, run: Insertable<TriageRunsTable>): Promise<TriageRunRow> {
  return db.insertInto('triage_runs').values(run).returningAll().executeTakeFirstOrThrow();
}

export async function updateRun(db: Executor, id: number, fields: Updateable<TriageRunsTable>): Promise<void> {
  await db.updateTable('triage_runs').set(fields).where('id', '=', id).execute();
}

/** Earlier runs into `outDir`: unfinished ones were interrupted, finished ones are superseded (a new run rewrites their files). */
export async function retireRuns(db: Executor, outDir: string): Promise<void> {
  await db.updateTable('triage_runs').set({ status: 'interrupted' }).where('out_dir', '=', outDir).where('status', '=', 'running').execute();
  await db.updateTable('triage_runs').set({ status: 'superseded' }).where('out_dir', '=', outDir).where('status', '=', 'done').execute();
}

export async function getRun(db: Executor, id: number): Promise<TriageRunRow> {
  const r = await db.selectFrom('triage_runs').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new AllianceError('TRIAGE_NOT_FOUND', `no triage run ${id}`);
  return r;
}

export function listRuns(db: Executor, limit: number, offset: number): Promise<TriageRunRow[]> {
  return db.selectFrom('triage_runs').selectAll().orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

export const ITEM_COLUMNS = [
  'run_id',
  'n',
  'path',
  'folder',
  'class',
  'classification',
  'legal',
  'series',
  'victim_identified',
  'bank',
  'content_id',
  'signal_type',
  'distance',
  'md5',
  'sha1',
  'pdq',
  'error',
  'sha256',
  'facts',
] as const;

/** Item rows (values in ITEM_COLUMNS order), in one transaction. */
export async function insertItems(db: Executor, dialect: DialectName, rows: unknown[][]): Promise<void> {
  await insertRows(db, dialect, 'triage_items', ITEM_COLUMNS, rows);
}

export interface ItemQuery {
  class?: string;
  folder?: string;
  /** Part of the path (any case). */
  text?: string;
  limit: number;
  offset: number;
}

export async function listItems(db: Executor, runId: number, q: ItemQuery): Promise<{ items: TriageItemRow[]; total: number }> {
  let query = db.selectFrom('triage_items').where('run_id', '=', runId);
  if (q.class) query = query.where('class', '=', q.class);
  if (q.folder !== undefined) query = query.where('folder', '=', q.folder);
  if (q.text) {
    const like = `%${q.text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    query = query.where(sql`lower(path)`, 'like', sql`${like} escape '\\'`);
  }
  const [items, total] = await Promise.all([
    query.selectAll().orderBy('n').limit(q.limit).offset(q.offset).execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n) };
}

/** The folders holding new material, most first. */
export async function newFolders(db: Executor, runId: number, limit: number): Promise<Array<{ folder: string; files: number }>> {
  const rows = await db
    .selectFrom('triage_items')
    .select(['folder', (eb) => eb.fn.countAll<number>().as('files')])
    .where('run_id', '=', runId)
    .where('class', '=', 'new')
    .groupBy('folder')
    .orderBy('files', 'desc')
    .orderBy('folder')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ folder: r.folder, files: Number(r.files) }));
}
