/**
 * What happened, said where it is read: the history of each member's (peer's) public keys with
 * the time each was valid — a received country report records the key it was verified with and
 * is checked against that key later, so rotating a key hides no earlier report — and the code of
 * a subscription's last error (a peer's refusal, PEER_REFUSED, is not retried on the schedule).
 *
 * Existing peers get one open key row from their registration (or their earliest report under
 * that key, if earlier); existing received reports are linked to the row of the key they carry.
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function refusalsAndKeys(dialect: DialectName) {
  const pk = dialect === 'sqlite' ? sql.raw('id integer primary key autoincrement') : sql.raw('id serial primary key');
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`create table member_keys (${pk}, member text not null, public_key text not null, valid_from bigint not null, valid_to bigint)`.execute(db);
      await sql`create index member_keys_member on member_keys (member, valid_from)`.execute(db);
      await sql`insert into member_keys (member, public_key, valid_from, valid_to)
        select m.name, p.public_key, p.created_at, null from peers p join members m on m.id = p.member_id`.execute(db);
      await sql`update member_keys set valid_from = (select min(r.received_at) from received_country_reports r where r.member = member_keys.member and r.public_key = member_keys.public_key)
        where exists (select 1 from received_country_reports r where r.member = member_keys.member and r.public_key = member_keys.public_key and r.received_at < member_keys.valid_from)`.execute(
        db,
      );
      await sql`alter table received_country_reports add column key_id integer`.execute(db);
      await sql`update received_country_reports set key_id = (select k.id from member_keys k where k.member = received_country_reports.member and k.public_key = received_country_reports.public_key)`.execute(
        db,
      );
      await sql`alter table subscriptions add column last_error_code text`.execute(db);
    },
  };
}
