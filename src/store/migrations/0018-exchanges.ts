/**
 * External exchanges (issue 16): each exchange of an API (NCMEC, ThreatExchange, sample, …) fills
 * one bank; its checkpoint is opaque JSON moved with each applied page (a fetch from the beginning
 * records when it began: what it did not deliver again is deleted once it completes); the credentials of an API
 * are kept encrypted (SecretBox, never in clear); every opinion sent to an exchange is kept with
 * the remote's answer.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function exchanges(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table exchanges (${pk}, name text not null unique, api text not null, bank_id integer not null references banks(id),
        config text not null, enabled integer not null default 1, checkpoint text, checkpoint_ts bigint,
        fetch_started_at bigint, fetch_completed_at bigint, fetch_succeeded integer, up_to_date integer not null default 0,
        items_fetched bigint not null default 0, full_fetch_started_at bigint, unmatchable bigint not null default 0, pages bigint not null default 0,
        last_error text, last_error_code text, last_error_at bigint, created_at bigint not null)`.execute(db);
      await sql`create table exchange_credentials (api text primary key, value text not null, updated_at bigint not null)`.execute(db);
      await sql`create table exchange_opinions (${pk}, exchange_id integer not null, content_id integer not null, uid text not null,
        opinion text not null, reason text, status text not null, answer text, error text, sent_at bigint not null)`.execute(db);
      await sql`create index exchange_opinions_content on exchange_opinions (content_id)`.execute(db);
    },
  };
}
