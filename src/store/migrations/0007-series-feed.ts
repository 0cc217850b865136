/**
 * Sharing series status: a log of changes to own series (peers pull it from a position, like a
 * bank feed), and each peer's position in the series feed this node pulls.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function seriesFeed(dialect: DialectName) {
  const pk = (name: string) => (dialect === 'sqlite' ? sql.raw(`${name} integer primary key autoincrement`) : sql.raw(`${name} serial primary key`));
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table series_log (${pk('seq')}, series_id integer not null, at bigint not null)`.execute(db);
      await sql`create table series_checkpoints (peer_id integer primary key references peers(id) on delete cascade, checkpoint bigint not null,
        last_success_at bigint, last_error text)`.execute(db);
    },
  };
}
