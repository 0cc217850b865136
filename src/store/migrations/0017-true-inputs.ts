/**
 * Right on real inputs (issue 14): triage keeps every file's SHA-256 and what the matched content
 * says of it (the VICS flags with the source of each, tags, comments, series names), and a series
 * remembers whether an import created it from a name in a file (its "unidentified" is then no
 * statement of its own, only the file's).
 */
import { sql, type Kysely } from 'kysely';

export const trueInputs = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table triage_items add column sha256 text`.execute(db);
    await sql`alter table triage_items add column facts text`.execute(db);
    await sql`alter table series add column created_by_import integer not null default 0`.execute(db);
  },
};
