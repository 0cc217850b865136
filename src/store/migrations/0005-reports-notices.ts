/**
 * Incident reports (out: made here; in: received from members), their delivery to the receiving
 * authority, the registry of receiving authorities per country, hosting providers, and takedown
 * notices with their event history. A finished report is immutable: the database itself refuses
 * to change or delete it (triggers), whatever route a write takes.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function reportsNotices(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table incident_reports (${pk()}, uid text not null unique, direction text not null, status text not null,
        body text not null, prior_uid text, submission_id integer, review_id integer, country text, routing_basis text,
        kind text, routed_to text, from_member text, created_by text not null, created_at bigint not null, finished_at bigint)`.execute(db);
      await sql`create index incident_reports_list on incident_reports (direction, id)`.execute(db);
      await sql`create unique index incident_reports_review on incident_reports (review_id)`.execute(db);
      if (dialect === 'sqlite') {
        await sql`create trigger incident_reports_no_update before update on incident_reports when old.status = 'finished'
          begin select raise(abort, 'REPORT_FINISHED: a finished report is immutable'); end`.execute(db);
        await sql`create trigger incident_reports_no_delete before delete on incident_reports when old.status = 'finished'
          begin select raise(abort, 'REPORT_FINISHED: a finished report is immutable'); end`.execute(db);
      } else {
        await sql`create function alliance_report_immutable() returns trigger language plpgsql as $$
          begin
            if old.status = 'finished' then raise exception 'REPORT_FINISHED: a finished report is immutable'; end if;
            if tg_op = 'DELETE' then return old; end if;
            return new;
          end $$`.execute(db);
        await sql`create trigger incident_reports_immutable before update or delete on incident_reports
          for each row execute function alliance_report_immutable()`.execute(db);
      }
      await sql`create table report_deliveries (report_id integer primary key, peer text not null, state text not null,
        attempts integer not null default 0, last_error text, delivered_at bigint, created_at bigint not null)`.execute(db);
      await sql`create table receiving_authorities (country text primary key, peer_id integer not null references peers(id) on delete cascade,
        created_at bigint not null)`.execute(db);
      await sql`create table hosting_providers (${pk()}, name text not null unique, domains text not null, abuse_url text,
        abuse_email text, created_at bigint not null)`.execute(db);
      await sql`create table notices (${pk()}, url text not null, host text not null, provider_id integer references hosting_providers(id) on delete set null,
        evidence text not null, legal_basis text not null, review_id integer, submission_id integer, status text not null,
        sends integer not null default 0, created_at bigint not null, first_sent_at bigint, last_sent_at bigint, next_action_at bigint not null,
        closed_at bigint, closed_by text)`.execute(db);
      await sql`create index notices_due on notices (status, next_action_at)`.execute(db);
      await sql`create unique index notices_review_url on notices (review_id, url)`.execute(db);
      await sql`create table notice_events (${pk()}, notice_id integer not null references notices(id) on delete cascade, at bigint not null,
        kind text not null, detail text)`.execute(db);
      await sql`create index notice_events_notice on notice_events (notice_id, id)`.execute(db);
    },
  };
}
