/** The per-bank feed log: what changed, in order, for the bank's subscribers. */
import type { BankContent, Signal } from './schema.js';
import { insertRows } from './bulk.js';
import { now, onPostgres, type Executor } from './util.js';

const FEED_COLUMNS = ['bank_id', 'content_id', 'op', 'uid', 'at'] as const;

/** Appends feed entries; deletes carry the content's uid (`uids`, by content id) when it has one. */
export async function logFeed(db: Executor, bankId: number, contentIds: number[], op: 'upsert' | 'delete', uids?: Map<number, string | null>): Promise<void> {
  if (contentIds.length === 0) return;
  const at = now();
  // Multi-row statements prepared once (bulk.ts; it also gives the event loop its turns): a page of a feed or an exchange logs thousands.
  await insertRows(
    db,
    onPostgres(db) ? 'postgres' : 'sqlite',
    'feed_log',
    FEED_COLUMNS,
    contentIds.map((id) => [bankId, id, op, uids?.get(id) ?? null, at]),
  );
}

export function feedRows(db: Executor, bankId: number, since: number, limit: number) {
  return db
    .selectFrom('feed_log')
    .select(['seq', 'content_id', 'op', 'uid'])
    .where('bank_id', '=', bankId)
    .where('seq', '>', since)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export async function latestFeedSeq(db: Executor, bankId: number): Promise<number> {
  const r = await db
    .selectFrom('feed_log')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('bank_id', '=', bankId)
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}

/** Contents (of one bank) and their signals, by id. */
export async function contentsWithSignals(db: Executor, bankId: number, ids: number[]): Promise<Map<number, { content: BankContent; signals: Signal[] }>> {
  const out = new Map<number, { content: BankContent; signals: Signal[] }>();
  if (ids.length === 0) return out;
  const contents = await db.selectFrom('bank_content').selectAll().where('bank_id', '=', bankId).where('id', 'in', ids).execute();
  for (const c of contents) out.set(c.id, { content: c, signals: [] });
  const signals = await db.selectFrom('signals').selectAll().where('content_id', 'in', ids).orderBy('id').execute();
  for (const s of signals) out.get(s.content_id)?.signals.push(s);
  return out;
}
