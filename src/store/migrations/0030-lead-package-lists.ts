/**
 * Lead packages built and listed without holding their payloads (issue 18): a package's handling
 * restrictions get a column of their own, so listing an operation's packages reads no payload (a
 * payload is up to ~400 KB of targets; one operation has thousands of packages) — the payload is
 * read only for one package's envelope or delivery. The handling of packages built before is
 * copied from their payloads. And the targets packaged are looked up by ref, a page of them at a
 * time, to find what the packages before said about each (a supplement carries what changed).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function leadPackageLists(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table lead_packages add column handling text not null default '[]'`.execute(db);
      if (dialect === 'postgres')
        await sql`update lead_packages set handling = coalesce((payload::json -> 'handling')::text, '[]') where payload <> ''`.execute(db);
      else await sql`update lead_packages set handling = coalesce(json_extract(payload, '$.handling'), '[]') where payload <> ''`.execute(db);
      await sql`create index lead_package_targets_ref on lead_package_targets (ref)`.execute(db);
    },
  };
}
