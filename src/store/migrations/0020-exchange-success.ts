/**
 * When each external exchange last fetched successfully (the sources overview shows it beside
 * the last error, as it does for subscriptions): unknown for fetches before this migration
 * unless the last one succeeded.
 */
import { sql, type Kysely } from 'kysely';

export const exchangeSuccess = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table exchanges add column last_success_at bigint`.execute(db);
    await sql`update exchanges set last_success_at = fetch_completed_at where fetch_succeeded = 1`.execute(db);
  },
};
