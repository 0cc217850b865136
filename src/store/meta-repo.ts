/** Small named values the node keeps (positions of background workers). */
import type { Executor } from './util.js';

export async function getMeta(db: Executor, key: string): Promise<string | undefined> {
  return (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/** Sets `key` to `value` only if it still holds `expected` (undefined: absent); false if another writer moved it. */
export async function compareAndSetMeta(db: Executor, key: string, expected: string | undefined, value: string): Promise<boolean> {
  if (expected === undefined) {
    const r = await db
      .insertInto('meta')
      .values({ key, value })
      .onConflict((oc) => oc.column('key').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }
  const r = await db.updateTable('meta').set({ value }).where('key', '=', key).where('value', '=', expected).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** Sets `key` to `value`, whatever it held. */
export async function setMeta(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('meta')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}
