/**
 * The help directory shared over the federation: a change log giving each curated entry a feed
 * position (like series), where an entry came from, and checkpoints per feed and peer — one table
 * for any member feed from here on (series and targets keep their own from before).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function helpFeed(dialect: DialectName) {
  const seq = dialect === 'sqlite' ? sql.raw('seq integer primary key autoincrement') : sql.raw('seq bigserial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table help_entries add column received_from integer references peers(id) on delete cascade`.execute(db);
      await sql`create table help_log (${seq}, entry_id integer not null)`.execute(db);
      await sql`create index help_log_entry on help_log (entry_id, seq)`.execute(db);
      await sql`create table feed_checkpoints (feed text not null, peer_id integer not null references peers(id) on delete cascade, checkpoint bigint not null,
        last_success_at bigint, last_error text, primary key (feed, peer_id))`.execute(db);
    },
  };
}
