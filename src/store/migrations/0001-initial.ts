/** The first schema: members, tokens, banks, content, signals, index change log, audit, jobs. */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function initial(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  const real = dialect === 'sqlite' ? 'real' : 'double precision';

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      // Raw DDL: the tables differ between dialects only in their auto-increment primary key.
      await sql`create table members (${pk()}, name text not null unique, country text, kind text not null, created_at bigint not null)`.execute(db);
      await sql`create table tokens (${pk()}, member_id integer not null references members(id), role text not null, label text not null default '',
        token_hash text not null unique, prefix text not null, created_at bigint not null, revoked_at bigint, last_used_at bigint)`.execute(db);
      await sql`create table banks (${pk()}, name text not null unique, owner_member_id integer not null references members(id),
        kind text not null default 'positive', description text not null default '', matching_enabled integer not null default 1,
        enabled_ratio ${sql.raw(real)} not null default 1, created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create table bank_content (${pk()}, bank_id integer not null references banks(id) on delete cascade,
        classification text, tags text not null default '[]', note text, metadata text, source_member text, first_seen bigint not null,
        last_seen bigint not null, disabled_until bigint, created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create index bank_content_bank on bank_content (bank_id)`.execute(db);
      await sql`create table signals (${pk()}, content_id integer not null references bank_content(id) on delete cascade,
        bank_id integer not null, signal_type text not null, value text not null, value_hash text not null, quality integer,
        created_at bigint not null)`.execute(db);
      await sql`create index signals_value on signals (signal_type, value_hash)`.execute(db);
      await sql`create index signals_content on signals (content_id)`.execute(db);
      await sql`create index signals_bank on signals (bank_id)`.execute(db);
      await sql`create table signal_changes (${pk('seq')}, signal_id integer not null, signal_type text not null, op text not null, value text, at bigint not null)`.execute(
        db,
      );
      await sql`create table audit_log (${pk()}, at bigint not null, member_id integer, token_id integer, actor text not null,
        action text not null, target text, detail text not null, result_count integer, prev_hash text not null, hash text not null)`.execute(db);
      await sql`create table audit_head (id integer primary key, last_id integer not null, last_hash text not null)`.execute(db);
      await sql`create table jobs (${pk()}, kind text not null, payload text not null, state text not null, attempts integer not null default 0,
        run_after bigint not null, locked_at bigint, locked_by text, last_error text, result text, created_at bigint not null, updated_at bigint not null)`.execute(
        db,
      );
      await sql`create index jobs_ready on jobs (state, run_after)`.execute(db);
      await sql`create table meta (key text primary key, value text not null)`.execute(db);
    },
  };
}
