/**
 * Victim identification: series (material from one abuse situation, owned by one member), the
 * bank content linked to each, victim records (pseudonymous: never a name), the directory of
 * victim-support services per country, and referrals of identified victims to them.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function cases(dialect: DialectName) {
  const pk = (name = 'id') => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table series (${pk()}, uid text not null unique, name text not null, owner_member text not null,
        owner_country text, agency text, contact_point text, status text not null, first_seen_at bigint, opened_at bigint not null,
        victim_identified_at bigint, offender_identified_at bigint, closed_at bigint, notes text, received_from integer,
        created_at bigint not null, updated_at bigint not null)`.execute(db);
      await sql`create table series_content (series_id integer not null references series(id) on delete cascade,
        content_id integer not null references bank_content(id) on delete cascade, linked_at bigint not null, primary key (series_id, content_id))`.execute(db);
      await sql`create index series_content_content on series_content (content_id)`.execute(db);
      await sql`create table support_services (${pk()}, country text not null, name text not null, kind text not null, contact text not null,
        languages text not null, hours text, created_at bigint not null, unique (country, name))`.execute(db);
      await sql`create table victims (${pk()}, uid text not null unique, series_id integer not null references series(id) on delete cascade,
        identified_on text not null, identified_by text not null, created_at bigint not null)`.execute(db);
      await sql`create table referrals (${pk()}, victim_id integer not null references victims(id) on delete cascade,
        service_id integer not null references support_services(id), referred_on text not null, referred_by text not null, created_at bigint not null)`.execute(
        db,
      );
    },
  };
}
