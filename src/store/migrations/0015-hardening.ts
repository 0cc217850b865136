/**
 * Holding under attack: the signed audit checkpoints each peer sent this node as a witness
 * (audit/witnesses.ts), a keyed seal on the audit chain's head, and the nonces of signed federation requests seen within their validity
 * window, so a captured request cannot be replayed (exchange/request-signing.ts).
 */
import { sql, type Kysely } from 'kysely';

export const hardening = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create table audit_witness (peer_id integer not null references peers(id) on delete cascade, entry bigint not null, hash text not null,
      signed_at text not null, envelope text not null, received_at bigint not null, primary key (peer_id, entry))`.execute(db);
    await sql`alter table audit_head add column mac text`.execute(db);
    await sql`create table federation_nonces (keyid text not null, nonce text not null, expires_at bigint not null, primary key (keyid, nonce))`.execute(db);
    await sql`create index federation_nonces_expiry on federation_nonces (expires_at)`.execute(db);
  },
};
