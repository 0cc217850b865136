/**
 * Reporting (the four policy targets): manual entries (prosecutions, convictions), awareness
 * campaigns, messages served, the Model National Response self-assessment, country reports made
 * here and received by the secretariat; the hosting country of notices; and the indexes that
 * let a year of platform-scale events be counted without reading every row.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

/** Audit actions that are a match when they found something (reporting/indicators.ts counts them). */
export const MATCH_ACTIONS = ['lookup', 'lookup.upload', 'hma.lookup', 'hma.raw_lookup', 'submission', 'submission.retroactive_match'] as const;
export const MATCH_ACTIONS_SQL = MATCH_ACTIONS.map((a) => `'${a}'`).join(', ');

export function reporting(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table manual_indicators (${pk}, period text not null, kind text not null, value integer not null, source text not null,
        entered_by text not null, entered_at bigint not null, unique (period, kind))`.execute(db);
      await sql`create table campaigns (${pk}, country text not null, title text not null, audience text not null, channel text not null,
        reach integer not null, starts_on text not null, ends_on text, created_by text not null, created_at bigint not null)`.execute(db);
      await sql`create index campaigns_start on campaigns (starts_on)`.execute(db);
      await sql`create table message_counts (day text not null, context text not null, country text not null, count integer not null,
        primary key (day, context, country))`.execute(db);
      await sql`create table mnr_assessments (period text not null, capability integer not null, phase integer not null, evidence text not null,
        assessed_by text not null, assessed_at bigint not null, primary key (period, capability))`.execute(db);
      await sql`create table country_reports (${pk}, period text not null, baseline text, status text not null, payload text not null,
        narrative text not null, signature text, public_key text, created_by text not null, created_at bigint not null, signed_at bigint,
        submitted_at bigint, submitted_to text, delivery_error text)`.execute(db);
      await sql`create table received_country_reports (${pk}, member text not null, country text, period text not null, payload text not null,
        signature text not null, public_key text not null, received_at bigint not null)`.execute(db);
      await sql`create index received_country_reports_member on received_country_reports (member, period, id)`.execute(db);
      await sql`alter table notices add column hosting_country text`.execute(db);
      await sql`alter table hosting_providers add column country text`.execute(db);
      await sql`create index notices_sent on notices (first_sent_at)`.execute(db);
      await sql`create index notices_closed on notices (closed_at)`.execute(db);
      await sql.raw(`create index audit_matches on audit_log (at) where result_count > 0 and action in (${MATCH_ACTIONS_SQL})`).execute(db);
      await sql`create index submissions_reuploads on submissions (received_at) where reupload_of is not null`.execute(db);
      await sql`create index signals_created on signals (created_at, bank_id)`.execute(db);
    },
  };
}
