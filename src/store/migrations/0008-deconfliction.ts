/**
 * Deconfliction: investigations ("cases") with their owner's contact point, the targets registered
 * on them — kept only as keyed hashes (HMAC under the alliance-wide key) with a short hint for
 * the investigator, never the identifier itself — and the alerts raised when two cases share one.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function deconfliction(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table cases (${pk()}, uid text not null unique, reference text not null, owner_member text not null,
        contact_point text not null, created_by text not null, created_at bigint not null)`.execute(db);
      await sql`create table case_targets (${pk()}, case_id integer not null references cases(id) on delete cascade, kind text not null,
        keyed_hash text not null, hint text not null, valid_from bigint, valid_to bigint, created_at bigint not null)`.execute(db);
      await sql`create index case_targets_hash on case_targets (keyed_hash)`.execute(db);
      await sql`create table deconfliction_alerts (${pk()}, case_id integer not null references cases(id) on delete cascade,
        kind text not null, other_case text not null, other_member text not null, other_contact text not null, hint text not null,
        created_at bigint not null, unique (case_id, other_case, kind, hint))`.execute(db);
    },
  };
}
