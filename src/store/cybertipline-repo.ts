/**
 * Where each incident report's CyberTipline submission stands (src/actions/cybertipline/): the row
 * is created once per report, moved step by step as the service answers, and leased by the one
 * process that works it (a conditional update: two processes never send the same step at once).
 */
import type { Updateable } from 'kysely';
import type { CybertiplineSubmissionsTable } from './schema.js';
import { now, type Executor } from './util.js';
import { redactServerPaths } from '../errors/redact.js';

export type CybertiplineSubmission = CybertiplineSubmissionsTable;

const numeric = (r: CybertiplineSubmission): CybertiplineSubmission => ({
  ...r,
  report_id: Number(r.report_id),
  response_code: r.response_code === null ? null : Number(r.response_code),
  attempts: Number(r.attempts),
  lease_until: r.lease_until === null ? null : Number(r.lease_until),
  created_at: Number(r.created_at),
  updated_at: Number(r.updated_at),
  finished_at: r.finished_at === null ? null : Number(r.finished_at),
});

export async function getCybertiplineSubmission(db: Executor, reportId: number): Promise<CybertiplineSubmission | undefined> {
  const r = await db.selectFrom('cybertipline_submissions').selectAll().where('report_id', '=', reportId).executeTakeFirst();
  return r ? numeric(r) : undefined;
}

/** The submission's row, created as pending if there is none yet (the existing one is kept as it is). */
export async function ensureCybertiplineSubmission(
  db: Executor,
  reportId: number,
  environment: string,
  requestedBy: string,
): Promise<{ row: CybertiplineSubmission; created: boolean }> {
  const t = now();
  const inserted = await db
    .insertInto('cybertipline_submissions')
    .values({
      report_id: reportId,
      status: 'pending',
      environment,
      ct_report_id: null,
      files: '[]',
      response_code: null,
      last_error: null,
      attempts: 0,
      lease_holder: null,
      lease_until: null,
      requested_by: requestedBy,
      created_at: t,
      updated_at: t,
      finished_at: null,
    })
    .onConflict((oc) => oc.column('report_id').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: numeric(inserted), created: true };
  return { row: (await getCybertiplineSubmission(db, reportId))!, created: false };
}

type Fields = Omit<Updateable<CybertiplineSubmissionsTable>, 'report_id' | 'lease_holder' | 'lease_until' | 'created_at'>;

/** Moves the submission on; with `holder`, only while that holder has the lease (false: it lost it). */
export async function updateCybertiplineSubmission(db: Executor, reportId: number, fields: Fields, holder?: string): Promise<boolean> {
  let q = db
    .updateTable('cybertipline_submissions')
    .set({ ...fields, ...(fields.last_error ? { last_error: redactServerPaths(fields.last_error).slice(0, 2000) } : {}), updated_at: now() })
    .where('report_id', '=', reportId);
  if (holder !== undefined) q = q.where('lease_holder', '=', holder);
  return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
}

/** Takes (or renews) the lease of a submission until `until` (ms); false when another holder has a lease that has not run out. */
export async function leaseCybertiplineSubmission(db: Executor, reportId: number, holder: string, until: number): Promise<boolean> {
  const r = await db
    .updateTable('cybertipline_submissions')
    .set({ lease_holder: holder, lease_until: until })
    .where('report_id', '=', reportId)
    .where((eb) => eb.or([eb('lease_holder', 'is', null), eb('lease_holder', '=', holder), eb('lease_until', '<', now())]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function releaseCybertiplineSubmission(db: Executor, reportId: number, holder: string): Promise<void> {
  await db
    .updateTable('cybertipline_submissions')
    .set({ lease_holder: null, lease_until: null })
    .where('report_id', '=', reportId)
    .where('lease_holder', '=', holder)
    .execute();
}

/** Takes the lease from `from` (a holder whose process is gone), whatever its time left; false if it changed hands meanwhile. */
export async function takeOverCybertiplineLease(db: Executor, reportId: number, from: string, holder: string, until: number): Promise<boolean> {
  const r = await db
    .updateTable('cybertipline_submissions')
    .set({ lease_holder: holder, lease_until: until })
    .where('report_id', '=', reportId)
    .where('lease_holder', '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
