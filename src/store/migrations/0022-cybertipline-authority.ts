/**
 * The CyberTipline as a receiving authority (issue 16): a country's reports may go to the
 * CyberTipline (NCMEC) instead of a peer, so a receiving authority names its destination ('peer'
 * with its peer, or 'cybertipline' with none), and a report's delivery says which of the two it
 * goes to. SQLite cannot drop a NOT NULL, so there the table is rebuilt (in one transaction: a crash
 * leaves the old table as it was).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function cybertiplineAuthority(dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const check = sql.raw(`check ((destination = 'peer' and peer_id is not null) or (destination = 'cybertipline' and peer_id is null))`);
      if (dialect === 'postgres') {
        await sql`alter table receiving_authorities alter column peer_id drop not null`.execute(db);
        await sql`alter table receiving_authorities add column destination text not null default 'peer'`.execute(db);
        await sql`alter table receiving_authorities add constraint receiving_authorities_destination ${check}`.execute(db);
        await sql`alter table report_deliveries add column destination text not null default 'peer'`.execute(db);
        return;
      }
      await db.transaction().execute(async (tx) => {
        await sql`create table receiving_authorities_new (country text primary key, peer_id integer references peers(id) on delete cascade,
          destination text not null default 'peer', created_at bigint not null, ${check})`.execute(tx);
        await sql`insert into receiving_authorities_new (country, peer_id, destination, created_at)
          select country, peer_id, 'peer', created_at from receiving_authorities`.execute(tx);
        await sql`drop table receiving_authorities`.execute(tx);
        await sql`alter table receiving_authorities_new rename to receiving_authorities`.execute(tx);
        await sql`alter table report_deliveries add column destination text not null default 'peer'`.execute(tx);
      });
    },
  };
}
