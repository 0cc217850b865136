/**
 * Deconfliction across nodes: cases received from peers (their keyed targets only, with the
 * owner's contact point), and each peer's position in the targets feed this node pulls.
 */
import { sql, type Kysely } from 'kysely';

export const sharedTargets = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table cases add column received_from integer`.execute(db);
    await sql`create table target_checkpoints (peer_id integer primary key references peers(id) on delete cascade, checkpoint bigint not null,
      last_success_at bigint, last_error text)`.execute(db);
  },
};
