/**
 * Lead packages (issue 18, src/operations/leads.ts). On the operation's node: the packages built
 * per receiving country (immutable once sent: the signed payload is kept as it went), the targets
 * each holds (with a digest of what was said about them, so a supplement carries only what
 * changed), their delivery (the job queue, retried) and the status updates received back. On the
 * receiving authority's node: the inbox of packages received, and the status updates it sends back
 * (each delivered by the same job queue).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function leadPackages(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table lead_packages (${pk}, uid text not null unique, operation_id integer not null references operations(id),
        country text not null, prior_uid text, peer text, state text not null, payload text not null, signature text not null,
        targets integer not null, attempts integer not null default 0, last_error text, receipt text,
        created_by text not null, created_at bigint not null, queued_at bigint, delivered_at bigint)`.execute(db);
      await sql`create index lead_packages_operation on lead_packages (operation_id, country)`.execute(db);
      await sql`create table lead_package_targets (package_id integer not null references lead_packages(id), ref text not null,
        digest text not null, primary key (package_id, ref))`.execute(db);
      await sql`create table lead_inbox (${pk}, uid text not null unique, from_peer text not null, prior_uid text,
        operation text not null, country text not null, payload text not null, signature text not null, targets integer not null,
        state text not null, reason text, assignee text, next_seq integer not null default 1,
        received_at bigint not null, updated_at bigint not null)`.execute(db);
      // Status updates: 'out' on the receiver (queued for delivery to the package's origin), 'in' on the origin (verified).
      await sql`create table lead_updates (${pk}, direction text not null, package_uid text not null, peer text not null, seq integer not null,
        type text not null, target_ref text, outcome text, count integer, series text, at bigint not null,
        payload text not null, signature text not null, state text not null, last_error text, created_at bigint not null, delivered_at bigint,
        unique (direction, package_uid, seq))`.execute(db);
    },
  };
}
