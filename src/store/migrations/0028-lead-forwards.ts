/**
 * Re-referral (issue 18, point 4): a receiving authority forwards targets of a package it received
 * to a third country's authority. The forwarded package is a lead package of its own (signed,
 * delivered and answered like any other) that belongs to no operation of this node: it names the
 * received package it comes from (`forwarded_from`). SQLite cannot drop a NOT NULL, so there both
 * tables are rebuilt (in one transaction: a crash leaves them as they were), keeping every id and
 * the id sequence (package uids are made from ids: none may be used twice).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function leadForwards(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'postgres') {
        await sql`alter table lead_packages alter column operation_id drop not null`.execute(db);
        await sql`alter table lead_packages add column forwarded_from text`.execute(db);
        await sql`create index lead_packages_forwarded on lead_packages (forwarded_from)`.execute(db);
        return;
      }
      await db.transaction().execute(async (tx) => {
        await sql`create table lead_packages_new (id integer primary key autoincrement, uid text not null unique,
          operation_id integer references operations(id), country text not null, prior_uid text, peer text, state text not null,
          payload text not null, signature text not null, targets integer not null, attempts integer not null default 0, last_error text,
          receipt text, created_by text not null, created_at bigint not null, queued_at bigint, delivered_at bigint, forwarded_from text)`.execute(tx);
        await sql`insert into lead_packages_new (id, uid, operation_id, country, prior_uid, peer, state, payload, signature, targets, attempts,
          last_error, receipt, created_by, created_at, queued_at, delivered_at)
          select id, uid, operation_id, country, prior_uid, peer, state, payload, signature, targets, attempts, last_error, receipt,
          created_by, created_at, queued_at, delivered_at from lead_packages`.execute(tx);
        await sql`delete from sqlite_sequence where name = 'lead_packages_new'`.execute(tx);
        await sql`insert into sqlite_sequence (name, seq) select 'lead_packages_new', seq from sqlite_sequence where name = 'lead_packages'`.execute(tx);
        await sql`create table lead_package_targets_new (package_id integer not null references lead_packages_new(id), ref text not null,
          digest text not null, primary key (package_id, ref))`.execute(tx);
        await sql`insert into lead_package_targets_new (package_id, ref, digest) select package_id, ref, digest from lead_package_targets`.execute(tx);
        await sql`drop table lead_package_targets`.execute(tx);
        await sql`drop table lead_packages`.execute(tx);
        await sql`alter table lead_packages_new rename to lead_packages`.execute(tx);
        await sql`alter table lead_package_targets_new rename to lead_package_targets`.execute(tx);
        await sql`create index lead_packages_operation on lead_packages (operation_id, country)`.execute(tx);
        await sql`create index lead_packages_forwarded on lead_packages (forwarded_from)`.execute(tx);
      });
    },
  };
}
