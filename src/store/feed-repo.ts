/** The per-bank feed log: what changed, in order, for the bank's subscribers. */
import type { BankContent, Signal } from './schema.js';
import { nextTurn, now, type Executor } from './util.js';

/** Appends feed entries; deletes carry the content's uid (`uids`, by content id) when it has one. */
export async function logFeed(db: Executor, bankId: number, contentIds: number[], op: 'upsert' | 'delete', uids?: Map<number, string | null>): Promise<void> {
  const at = now();
  for (let i = 0; i < contentIds.length; i += 500) {
    if (i > 0 && i % 4000 === 0) await nextTurn();
    await db
      .insertInto('feed_log')
      .values(contentIds.slice(i, i + 500).map((content_id) => ({ bank_id: bankId, content_id, op, uid: uids?.get(content_id) ?? null, at })))
      .execute();
  }
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
