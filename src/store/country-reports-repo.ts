/**
 * Country reports: this node's own (draft → signed → submitted; a signed report never changes)
 * and those members sent to the secretariat, kept with the key each was verified with.
 */
import type { Insertable } from 'kysely';
import type { CountryReportRow, ReceivedCountryReport, ReceivedCountryReportsTable } from './reporting-schema.js';
import { now, type Executor } from './util.js';

export function getCountryReport(db: Executor, id: number): Promise<CountryReportRow | undefined> {
  return db.selectFrom('country_reports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The draft of a period, if there is one. */
export function draftOfPeriod(db: Executor, period: string): Promise<{ id: number } | undefined> {
  return db.selectFrom('country_reports').select('id').where('period', '=', period).where('status', '=', 'draft').executeTakeFirst();
}

/** Refreshes a draft's figures; false when it is no longer a draft (signed meanwhile). */
export async function refreshDraft(db: Executor, id: number, fields: { payload: string; baseline: string | null }): Promise<boolean> {
  const done = await db.updateTable('country_reports').set(fields).where('id', '=', id).where('status', '=', 'draft').executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

/** A new draft of a period (no narrative yet); its id. */
export async function insertDraftReport(db: Executor, r: { period: string; payload: string; baseline: string | null; created_by: string }): Promise<number> {
  return (
    await db
      .insertInto('country_reports')
      .values({ ...r, status: 'draft', narrative: '{}', created_at: now() })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

/** Own reports, newest period first. */
export function listCountryReports(db: Executor): Promise<CountryReportRow[]> {
  return db.selectFrom('country_reports').selectAll().orderBy('period', 'desc').orderBy('id', 'desc').execute();
}

/** Sets a draft's narrative (JSON); a signed report is left as it is. */
export async function setDraftNarrative(db: Executor, id: number, narrative: string): Promise<void> {
  await db.updateTable('country_reports').set({ narrative }).where('id', '=', id).where('status', '=', 'draft').execute();
}

/**
 * Signs a draft with exactly the payload and narrative that were sealed; false when it was
 * signed or changed meanwhile (a narrative or rebuild in between makes the sign fail, not lie).
 */
export async function signDraft(
  db: Executor,
  id: number,
  sealed: { payload: string; narrative: string },
  envelope: { payload: string; signature: string; key: string },
): Promise<boolean> {
  const done = await db
    .updateTable('country_reports')
    .set({ status: 'signed', payload: envelope.payload, signature: envelope.signature, public_key: envelope.key, signed_at: now() })
    .where('id', '=', id)
    .where('status', '=', 'draft')
    .where('payload', '=', sealed.payload)
    .where('narrative', '=', sealed.narrative)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}

export async function setDeliveryError(db: Executor, id: number, error: string): Promise<void> {
  await db.updateTable('country_reports').set({ delivery_error: error }).where('id', '=', id).execute();
}

export async function markSubmitted(db: Executor, id: number, to: string): Promise<void> {
  await db
    .updateTable('country_reports')
    .set({ status: 'submitted', submitted_at: now(), submitted_to: to, delivery_error: null })
    .where('id', '=', id)
    .execute();
}

export async function insertReceivedCountryReport(db: Executor, r: Insertable<ReceivedCountryReportsTable>): Promise<void> {
  await db.insertInto('received_country_reports').values(r).execute();
}

/** Every report received, in order of receipt. */
export function listReceivedCountryReports(db: Executor): Promise<ReceivedCountryReport[]> {
  return db.selectFrom('received_country_reports').selectAll().orderBy('id').execute();
}
