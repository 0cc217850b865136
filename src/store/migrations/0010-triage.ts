/**
 * Triage runs (`alliance triage`) recorded on the node, for the UI's triage results page: one row
 * per run with its counts, one per file or entry with its class. Hashes and paths only: no content.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function triage(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table triage_runs (${pk}, input text not null, kind text not null, case_number text not null, out_dir text not null,
        status text not null, files integer not null default 0, counts text not null, series text not null, resumed integer not null default 0,
        created_by text not null, started_at bigint not null, finished_at bigint, error text)`.execute(db);
      await sql`create table triage_items (run_id integer not null references triage_runs(id) on delete cascade, n integer not null,
        path text not null, folder text not null, class text not null, classification text, legal text, series text, victim_identified integer not null,
        bank text, content_id integer, signal_type text, distance integer, md5 text, sha1 text, pdq text, error text, primary key (run_id, n))`.execute(db);
      await sql`create index triage_items_class on triage_items (run_id, class, folder, n)`.execute(db);
    },
  };
}
