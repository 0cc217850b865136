/** The reporting module's own inputs: manual indicators, campaigns, message counts, MNR self-assessments. */
import type { Insertable } from 'kysely';
import type { Campaign, CampaignsTable, ManualIndicatorsTable, MnrAssessmentsTable } from './reporting-schema.js';
import type { Executor } from './util.js';

/** Enters or corrects a manual figure of a period. */
export async function upsertManualIndicator(db: Executor, row: Insertable<ManualIndicatorsTable>): Promise<void> {
  await db
    .insertInto('manual_indicators')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['period', 'kind']).doUpdateSet({ value: row.value, source: row.source, entered_by: row.entered_by, entered_at: row.entered_at }),
    )
    .execute();
}

/** Every manual figure, newest period first. */
export function listManualIndicators(db: Executor) {
  return db.selectFrom('manual_indicators').selectAll().orderBy('period', 'desc').orderBy('kind').execute();
}

export function insertCampaign(db: Executor, row: Insertable<CampaignsTable>): Promise<Campaign> {
  return db.insertInto('campaigns').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Campaigns, latest start first. */
export function listCampaigns(db: Executor): Promise<Campaign[]> {
  return db.selectFrom('campaigns').selectAll().orderBy('starts_on', 'desc').orderBy('id', 'desc').execute();
}

/** Whether a campaign was deleted. */
export async function deleteCampaign(db: Executor, id: number): Promise<boolean> {
  const r = await db.deleteFrom('campaigns').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Adds `row.count` messages served to a day, context and country. */
export async function addMessageCount(db: Executor, row: { day: string; context: string; country: string; count: number }): Promise<void> {
  await db
    .insertInto('message_counts')
    .values(row)
    .onConflict((oc) => oc.columns(['day', 'context', 'country']).doUpdateSet((eb) => ({ count: eb('message_counts.count', '+', row.count) })))
    .execute();
}

export function assessmentsOf(db: Executor, period: string) {
  return db.selectFrom('mnr_assessments').selectAll().where('period', '=', period).execute();
}

/** Rates (or re-rates) one capability for a period. */
export async function upsertAssessment(db: Executor, row: Insertable<MnrAssessmentsTable>): Promise<void> {
  await db
    .insertInto('mnr_assessments')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['period', 'capability'])
        .doUpdateSet({ phase: row.phase, evidence: row.evidence, assessed_by: row.assessed_by, assessed_at: row.assessed_at }),
    )
    .execute();
}
