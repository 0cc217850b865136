/**
 * A subscription can be paused (from the web UI or the API): the node stops pulling the peer's
 * feed for it, keeping its position, until it is resumed.
 */
import { sql, type Kysely } from 'kysely';

export const subscriptionPaused = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table subscriptions add column paused integer not null default 0`.execute(db);
  },
};
