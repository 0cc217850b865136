/**
 * Deconfliction compares a target's keyed hash with other cases' targets only. An identifier many
 * targets of one case share (an address behind a VPN, a board's common e-mail domain) put hundreds
 * of rows behind one key, each read from the table to learn its case; with the case in the index
 * the comparison skips its own case's rows without reading them.
 */
import { sql, type Kysely } from 'kysely';

export const caseTargetLookup = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`create index case_targets_hash_case on case_targets (keyed_hash, case_id)`.execute(db);
    await sql`drop index case_targets_hash`.execute(db);
  },
};
