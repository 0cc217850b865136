/**
 * Federation: peers (other members' nodes, known by URL and Ed25519 public key), publications
 * (a bank offered under a sharing agreement), the per-bank feed log, subscriptions with their
 * checkpoints and sync status, opinions sent back to a signal's origin, and each content's
 * provenance (origin uid, origin member and bank, the chain of members that passed it on).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function federation(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table peers (${pk()}, member_id integer not null unique references members(id), url text not null,
        public_key text not null unique, created_at bigint not null, last_seen_at bigint)`.execute(db);
      await sql`create table publications (bank_id integer primary key references banks(id) on delete cascade, agreement text not null,
        created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create table feed_log (${pk('seq')}, bank_id integer not null, content_id integer not null, op text not null, uid text, at bigint not null)`.execute(
        db,
      );
      await sql`create index feed_log_bank on feed_log (bank_id, seq)`.execute(db);
      await sql`create table subscriptions (${pk()}, peer_id integer not null references peers(id) on delete cascade, remote_bank text not null,
        bank_id integer not null references banks(id) on delete cascade, checkpoint bigint not null default 0, latest bigint,
        last_attempt_at bigint, last_success_at bigint, last_error text, last_error_at bigint, items_received bigint not null default 0,
        created_at bigint not null, unique (peer_id, remote_bank))`.execute(db);
      await sql`create table opinions (${pk()}, content_id integer not null references bank_content(id) on delete cascade,
        member_id integer not null references members(id), opinion text not null, reason text, at bigint not null, unique (content_id, member_id))`.execute(db);
      await sql`alter table bank_content add column uid text`.execute(db);
      await sql`alter table bank_content add column origin_member text`.execute(db);
      await sql`alter table bank_content add column origin_bank text`.execute(db);
      await sql`alter table bank_content add column chain text`.execute(db);
      await sql`alter table bank_content add column received_from integer`.execute(db);
      await sql`create unique index bank_content_uid on bank_content (bank_id, uid)`.execute(db);
      await sql`alter table banks add column quarantine_threshold integer`.execute(db);
    },
  };
}
