/**
 * Acting on matches: action rules, submissions (what a member's platform hashed and matched —
 * hashes and context only; media only while a review needs it, encrypted, see actions/media-vault),
 * the review queue with each analyst's daily exposure, and webhooks with a durable delivery queue.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function actions(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table webhooks (${pk()}, name text not null unique, url text not null, secret text not null,
        enabled integer not null default 1, created_at bigint not null)`.execute(db);
      await sql`create table action_rules (${pk()}, name text not null unique, enabled integer not null default 1,
        conditions text not null, actions text not null, webhook_id integer references webhooks(id) on delete set null,
        created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create table submissions (${pk()}, member_id integer references members(id), source text not null,
        external_id text, url text, ip text, account text, uploaded_at bigint, received_at bigint not null,
        signals text not null, matches text not null, decision text not null, actions text not null, reupload_of integer)`.execute(db);
      await sql`create index submissions_received on submissions (received_at)`.execute(db);
      // One row per signal of a submission: finds re-uploads (same key) and content hashed earlier.
      await sql`create table submission_signals (submission_id integer not null references submissions(id) on delete cascade,
        signal_type text not null, value_key text not null, value text not null, primary key (submission_id, signal_type))`.execute(db);
      await sql`create index submission_signals_key on submission_signals (signal_type, value_key)`.execute(db);
      await sql`create table review_items (${pk()}, submission_id integer not null unique references submissions(id) on delete cascade,
        status text not null, priority integer not null, reasons text not null, pending_actions text not null,
        media_type text, media_stored integer not null default 0, created_at bigint not null, decided_at bigint,
        decided_by text, verdict_note text)`.execute(db);
      await sql`create index review_items_queue on review_items (status, priority, created_at)`.execute(db);
      await sql`create table review_exposure (actor text not null, day text not null, reveals integer not null default 0,
        primary key (actor, day))`.execute(db);
      await sql`create table webhook_deliveries (${pk()}, webhook_id integer not null references webhooks(id) on delete cascade,
        event text not null, payload text not null, state text not null, attempts integer not null default 0,
        next_attempt_at bigint not null, last_error text, last_status integer, created_at bigint not null, delivered_at bigint)`.execute(db);
      await sql`create index webhook_deliveries_due on webhook_deliveries (state, next_attempt_at)`.execute(db);
    },
  };
}
