/** Incident reports, their deliveries, and the receiving authority of each country. */
import { AllianceError } from '../errors/catalogue.js';
import type { IncidentReport, IncidentReportsTable, ReportDestination } from './actions-schema.js';
import type { Insertable, Updateable } from 'kysely';
import { now, type Executor } from './util.js';
import { redactServerPaths } from '../errors/redact.js';

/** A driver error raised by the immutability trigger, as the domain error. */
export function finishedReportError(err: unknown): AllianceError | undefined {
  return /REPORT_FINISHED/.test(String((err as Error)?.message))
    ? new AllianceError('REPORT_FINISHED', 'a finished report is immutable; send a supplement instead')
    : undefined;
}

/** A new draft; its uid names the id the insert draws. */
export async function insertDraft(
  db: Executor,
  r: Omit<Insertable<IncidentReportsTable>, 'uid' | 'status'>,
  uidOf: (id: number) => string,
): Promise<IncidentReport> {
  const row = await db
    .insertInto('incident_reports')
    .values({ ...r, status: 'draft', uid: `pending:${Math.random()}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  return db
    .updateTable('incident_reports')
    .set({ uid: uidOf(row.id) })
    .where('id', '=', row.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A report received from a member, stored as it came (finished). Idempotent by uid. */
export async function insertReceivedReport(db: Executor, r: Insertable<IncidentReportsTable>): Promise<{ report: IncidentReport; created: boolean }> {
  const existing = () => db.selectFrom('incident_reports').selectAll().where('uid', '=', r.uid).executeTakeFirst();
  const before = await existing();
  if (before) return { report: before, created: false };
  const inserted = await db
    .insertInto('incident_reports')
    .values(r)
    .onConflict((oc) => oc.column('uid').doNothing())
    .returningAll()
    .executeTakeFirst();
  return inserted ? { report: inserted, created: true } : { report: (await existing())!, created: false }; // a concurrent copy won
}

export async function getReport(db: Executor, id: number): Promise<IncidentReport> {
  const r = await db.selectFrom('incident_reports').selectAll().where('id', '=', id).executeTakeFirst();
  if (!r) throw new AllianceError('REPORT_NOT_FOUND', `no incident report ${id}`);
  return r;
}

/** A report's id by its id ("12") or uid ("member/12"). */
export async function findReportId(db: Executor, ref: string): Promise<number> {
  const q = db.selectFrom('incident_reports').select('id');
  const r = /^\d{1,15}$/.test(ref) ? await q.where('id', '=', Number(ref)).executeTakeFirst() : await q.where('uid', '=', ref).executeTakeFirst();
  if (!r) throw new AllianceError('REPORT_NOT_FOUND', `no incident report ${ref.slice(0, 200)}`);
  return Number(r.id);
}

/** Changes a draft (the trigger refuses a finished report whatever the caller checked). */
export async function updateReport(db: Executor, id: number, fields: Updateable<IncidentReportsTable>): Promise<IncidentReport> {
  try {
    const r = await db.updateTable('incident_reports').set(fields).where('id', '=', id).returningAll().executeTakeFirst();
    if (!r) throw new AllianceError('REPORT_NOT_FOUND', `no incident report ${id}`);
    return r;
  } catch (err) {
    throw finishedReportError(err) ?? err;
  }
}

/** Where a report's delivery to a member and its CyberTipline submission stand (nulls: none). */
export interface ReportStates {
  delivery_destination: ReportDestination | null;
  delivery_state: string | null;
  delivery_error: string | null;
  ct_status: string | null;
  ct_environment: string | null;
  ct_report_id: string | null;
  ct_response_code: number | null;
  ct_error: string | null;
  ct_finished_at: number | null;
}

/** Reports of one direction (or the one with `id`), newest first, with their delivery state and CyberTipline submission. */
export function listReports(
  db: Executor,
  which: { direction?: 'in' | 'out'; id?: number },
  limit: number,
  offset: number,
): Promise<Array<IncidentReport & ReportStates>> {
  let q = db
    .selectFrom('incident_reports as r')
    .leftJoin('report_deliveries as d', 'd.report_id', 'r.id')
    .leftJoin('cybertipline_submissions as c', 'c.report_id', 'r.id')
    .selectAll('r')
    .select([
      'd.destination as delivery_destination',
      'd.state as delivery_state',
      'd.last_error as delivery_error',
      'c.status as ct_status',
      'c.environment as ct_environment',
      'c.ct_report_id as ct_report_id',
      'c.response_code as ct_response_code',
      'c.last_error as ct_error',
      'c.finished_at as ct_finished_at',
    ]);
  if (which.direction) q = q.where('r.direction', '=', which.direction);
  if (which.id !== undefined) q = q.where('r.id', '=', which.id);
  return q.orderBy('r.id', 'desc').limit(limit).offset(offset).execute();
}

/** The report's delivery, pending (kept as it is if there is one): to a peer, or to the CyberTipline. */
export async function upsertDelivery(db: Executor, reportId: number, peer: string, destination: ReportDestination = 'peer'): Promise<void> {
  await db
    .insertInto('report_deliveries')
    .values({ report_id: reportId, peer, destination, state: 'pending', attempts: 0, last_error: null, delivered_at: null, created_at: now() })
    .onConflict((oc) => oc.column('report_id').doNothing())
    .execute();
}

export async function recordDelivery(db: Executor, reportId: number, error: string | null): Promise<void> {
  const d = await db.selectFrom('report_deliveries').select('attempts').where('report_id', '=', reportId).executeTakeFirstOrThrow();
  await db
    .updateTable('report_deliveries')
    .set(
      error === null
        ? { state: 'delivered', delivered_at: now(), last_error: null, attempts: d.attempts + 1 }
        : { state: 'failed', last_error: redactServerPaths(error).slice(0, 1000), attempts: d.attempts + 1 },
    )
    .where('report_id', '=', reportId)
    .execute();
}

/** Makes a peer (by id), or the CyberTipline (null), the receiving authority of `country`. */
export async function setAuthority(db: Executor, country: string, peerId: number | null): Promise<void> {
  const destination: ReportDestination = peerId === null ? 'cybertipline' : 'peer';
  await db
    .insertInto('receiving_authorities')
    .values({ country, peer_id: peerId, destination, created_at: now() })
    .onConflict((oc) => oc.column('country').doUpdateSet({ peer_id: peerId, destination }))
    .execute();
}

export async function removeAuthority(db: Executor, country: string): Promise<boolean> {
  const r = await db.deleteFrom('receiving_authorities').where('country', '=', country).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** A country's receiving authority: a peer (its member name), or the CyberTipline (peer null). */
export interface Authority {
  country: string;
  destination: ReportDestination;
  peer: string | null;
}

export async function listAuthorities(db: Executor): Promise<Authority[]> {
  const rows = await db
    .selectFrom('receiving_authorities as a')
    .leftJoin('peers as p', 'p.id', 'a.peer_id')
    .leftJoin('members as m', 'm.id', 'p.member_id')
    .select(['a.country', 'a.destination', 'm.name as peer'])
    .orderBy('a.country')
    .execute();
  // A peer row whose member is gone is no authority (the join used to drop it).
  return rows.filter((r) => r.destination === 'cybertipline' || r.peer !== null).map((r) => ({ ...r, peer: r.destination === 'cybertipline' ? null : r.peer }));
}

/** Deletes a report while it is a draft (a finished report stays). */
export async function deleteDraft(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('incident_reports').where('id', '=', id).where('status', '=', 'draft').execute();
}

/**
 * A CyberTipline delivery's state, moved with its submission: delivered once the CyberTipline
 * report is finished (sent means received), failed with the reason while it stands refused,
 * uncertain, retracted or cannot be worked; pending otherwise. Peer deliveries are left alone
 * (false: the report has no CyberTipline delivery).
 */
export async function setCybertiplineDelivery(
  db: Executor,
  reportId: number,
  state: 'pending' | 'delivered' | 'failed',
  error: string | null,
): Promise<boolean> {
  const r = await db
    .updateTable('report_deliveries')
    .set((eb) => ({
      state,
      last_error: error === null ? null : redactServerPaths(error).slice(0, 1000),
      delivered_at: state === 'delivered' ? eb.fn.coalesce('delivered_at', eb.val(now())) : null,
      attempts: eb('attempts', '+', state === 'pending' ? 0 : 1),
    }))
    .where('report_id', '=', reportId)
    .where('destination', '=', 'cybertipline')
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Makes a report's delivery pending again, its last error forgotten. */
export async function resetDelivery(db: Executor, reportId: number): Promise<void> {
  await db.updateTable('report_deliveries').set({ state: 'pending', last_error: null }).where('report_id', '=', reportId).execute();
}

/** The report drafted from a review, if any. */
export function reportOfReview(db: Executor, reviewId: number): Promise<{ id: number; status: string } | undefined> {
  return db.selectFrom('incident_reports').select(['id', 'status']).where('review_id', '=', reviewId).executeTakeFirst();
}

/** Reports created in [from, to) (the action metrics' input). */
export function reportsCreated(db: Executor, from: number, to: number) {
  return db
    .selectFrom('incident_reports')
    .select(['direction', 'kind', 'review_id', 'finished_at', 'status'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
}
