/**
 * The signals index on (signal_type, value_hash) was never read — lookups go through the
 * in-memory indexes — yet every insert paid for a random-order B-tree write (two thirds of a bulk
 * import's signal insert time), and for the SHA-256 of every value kept only for that index. Both
 * go; (signal_type, id) serves the matchers' load (all signals of a type in id order) and grows at
 * its end. A lookup by value in the database, when one is needed, can index the value itself.
 */
import { sql, type Kysely } from 'kysely';

export const signalTypeIndex = {
  async up(db: Kysely<unknown>): Promise<void> {
    await sql`drop index signals_value`.execute(db);
    await sql`alter table signals drop column value_hash`.execute(db);
    await sql`create index signals_type on signals (signal_type, id)`.execute(db);
  },
};
