/**
 * What happened, said where it is read: the code of a subscription's last error (a peer's
 * refusal, PEER_REFUSED, is not retried on the schedule).
 */
import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../database.js';

export function refusalsAndKeys(_dialect: DialectName) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`alter table subscriptions add column last_error_code text`.execute(db);
    },
  };
}
