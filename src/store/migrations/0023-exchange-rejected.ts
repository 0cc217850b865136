/**
 * Values an exchange sent that cannot become a signal (an NCMEC PDQ that is not 64 hex digits):
 * dropped from their entries rather than refusing the page (one odd entry must not block an
 * exchange for ever), counted, and the reasons of the latest page that had any kept for the status.
 */
import { sql, type Kysely } from 'kysely';

export const exchangeRejected = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`alter table exchanges add column rejected bigint not null default 0`.execute(db);
    await sql`alter table exchanges add column rejected_reasons text`.execute(db);
  },
};
