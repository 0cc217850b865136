/**
 * Joint operations (issue 18, src/operations/): an operation opened by an authority, with its
 * restricted notes (never sent anywhere), and its targets — each one's identifiers, the evidence
 * that attributes it to a country (with the reasons and a confidence), an analyst's override, and
 * what its shared content matched on import, and its deconfliction: the other cases its identifiers
 * met (with their contact points) and whether its referral is held until an analyst releases it.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function operations(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table operations (${pk}, uid text not null unique, name text not null unique, legal_basis text not null,
        owner_agency text not null, contact_point text not null, starts_at bigint, ends_at bigint, notes text,
        deconfliction_case_id integer, created_by text not null, created_at bigint not null)`.execute(db);
      await sql`create table operation_targets (${pk}, operation_id integer not null references operations(id),
        ref text not null, identifiers text not null, country text, confidence text not null, reasons text not null,
        override_country text, override_reason text, overridden_by text, overridden_at bigint,
        hashes integer not null default 0, matched text not null default '[]',
        deconflicted_at bigint, met_cases text not null default '[]', held integer not null default 0,
        release_reason text, released_by text, released_at bigint, created_at bigint not null,
        unique (operation_id, ref))`.execute(db);
      await sql`create index operation_targets_country on operation_targets (operation_id, country)`.execute(db);
    },
  };
}
