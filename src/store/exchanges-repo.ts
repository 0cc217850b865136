/** External exchanges: their rows, their sealed credentials, their checkpoints and the opinions sent to them. */
import { AllianceError } from '../errors/catalogue.js';
import type { ExchangesTable } from './schema.js';
import { now, type Executor } from './util.js';

/** How many of a page's reasons for rejected values the status keeps. */
export const REJECTED_REASONS_KEPT = 5;

export type ExchangeRow = Omit<ExchangesTable, 'id'> & { id: number; bank: string };

function exchangeQuery(db: Executor) {
  return db.selectFrom('exchanges').innerJoin('banks', 'banks.id', 'exchanges.bank_id').selectAll('exchanges').select('banks.name as bank');
}

const numeric = (r: ExchangeRow): ExchangeRow => ({
  ...r,
  id: Number(r.id),
  bank_id: Number(r.bank_id),
  checkpoint_ts: r.checkpoint_ts === null ? null : Number(r.checkpoint_ts),
  fetch_started_at: r.fetch_started_at === null ? null : Number(r.fetch_started_at),
  fetch_completed_at: r.fetch_completed_at === null ? null : Number(r.fetch_completed_at),
  last_error_at: r.last_error_at === null ? null : Number(r.last_error_at),
  last_success_at: r.last_success_at === null ? null : Number(r.last_success_at),
  full_fetch_started_at: r.full_fetch_started_at === null ? null : Number(r.full_fetch_started_at),
  items_fetched: Number(r.items_fetched),
  unmatchable: Number(r.unmatchable),
  rejected: Number(r.rejected),
  pages: Number(r.pages),
  created_at: Number(r.created_at),
});

export async function listExchanges(db: Executor): Promise<ExchangeRow[]> {
  return (await exchangeQuery(db).orderBy('exchanges.name').execute()).map((r) => numeric(r as ExchangeRow));
}

export async function findExchange(db: Executor, name: string): Promise<ExchangeRow | undefined> {
  const r = await exchangeQuery(db).where('exchanges.name', '=', name).executeTakeFirst();
  return r ? numeric(r as ExchangeRow) : undefined;
}

export async function findExchangeById(db: Executor, id: number): Promise<ExchangeRow | undefined> {
  const r = await exchangeQuery(db).where('exchanges.id', '=', id).executeTakeFirst();
  return r ? numeric(r as ExchangeRow) : undefined;
}

export async function findExchangeOfBank(db: Executor, bankId: number): Promise<ExchangeRow | undefined> {
  const r = await exchangeQuery(db).where('exchanges.bank_id', '=', bankId).executeTakeFirst();
  return r ? numeric(r as ExchangeRow) : undefined;
}

export async function insertExchange(db: Executor, e: { name: string; api: string; bank_id: number; config: string; enabled: boolean }): Promise<number> {
  const r = await db
    .insertInto('exchanges')
    .values({
      name: e.name,
      api: e.api,
      bank_id: e.bank_id,
      config: e.config,
      enabled: e.enabled ? 1 : 0,
      up_to_date: 0,
      items_fetched: 0,
      unmatchable: 0,
      rejected: 0,
      pages: 0,
      created_at: now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function updateExchange(db: Executor, id: number, fields: { enabled?: boolean; config?: string }): Promise<void> {
  await db
    .updateTable('exchanges')
    .set({ ...(fields.enabled !== undefined ? { enabled: fields.enabled ? 1 : 0 } : {}), ...(fields.config !== undefined ? { config: fields.config } : {}) })
    .where('id', '=', id)
    .execute();
}

export async function deleteExchange(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('exchange_opinions').where('exchange_id', '=', id).execute();
  await db.deleteFrom('exchanges').where('id', '=', id).execute();
}

/** A fetch begins (the status says it runs). */
export async function markExchangeFetchStart(db: Executor, id: number): Promise<void> {
  await db.updateTable('exchanges').set({ fetch_started_at: now() }).where('id', '=', id).execute();
}

/** A fetch ended: succeeded (up to date or stopped by its time budget) or failed with an error (what it applied stays). */
export async function markExchangeFetchEnd(
  db: Executor,
  id: number,
  end: { succeeded: boolean; upToDate: boolean; error?: { message: string; code: string } },
): Promise<void> {
  await db
    .updateTable('exchanges')
    .set({
      fetch_started_at: null,
      fetch_completed_at: now(),
      fetch_succeeded: end.succeeded ? 1 : 0,
      up_to_date: end.upToDate ? 1 : 0,
      ...(end.error
        ? { last_error: end.error.message, last_error_code: end.error.code, last_error_at: now() }
        : { last_error: null, last_error_code: null, last_error_at: null }),
      ...(end.succeeded ? { last_success_at: now() } : {}),
    })
    .where('id', '=', id)
    .execute();
}

/**
 * Moves an exchange's checkpoint from `from` (its JSON text, null: none) to `to` — only if it is
 * still at `from`, so two fetches of one exchange (two processes) never apply a page twice.
 */
export async function advanceExchangeCheckpoint(
  db: Executor,
  id: number,
  from: string | null,
  to: {
    checkpoint: string | null;
    checkpointTs: number | null;
    items: number;
    unmatchable: number;
    /** Values dropped, and the reasons of the latest page that had any (the first few are kept). */
    rejected?: { count: number; reasons: string[] };
    pages?: number;
  },
): Promise<void> {
  const rejected = to.rejected ?? { count: 0, reasons: [] };
  const base = db.updateTable('exchanges').set((eb) => ({
    checkpoint: to.checkpoint,
    checkpoint_ts: to.checkpointTs,
    items_fetched: eb('items_fetched', '+', to.items),
    unmatchable: eb('unmatchable', '+', to.unmatchable),
    ...(rejected.count
      ? { rejected: eb('rejected', '+', rejected.count), rejected_reasons: JSON.stringify(rejected.reasons.slice(0, REJECTED_REASONS_KEPT)) }
      : {}),
    pages: eb('pages', '+', to.pages ?? 1),
  }));
  const r = await (
    from === null ? base.where('id', '=', id).where('checkpoint', 'is', null) : base.where('id', '=', id).where('checkpoint', '=', from)
  ).executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1)
    throw new AllianceError(
      'EXCHANGE_INVALID',
      `exchange ${id} moved on while this page was applied (another fetch ran at the same time); nothing of the page was kept`,
    );
}

/**
 * Forgets the checkpoint (a stale one, or a refetch asked for): the fetch starts from the beginning,
 * and when it began is kept (unless a refetch begun earlier is still to complete).
 */
export async function resetExchangeCheckpoint(db: Executor, id: number, startedAt: number): Promise<void> {
  await db.updateTable('exchanges').set({ checkpoint: null, checkpoint_ts: null }).where('id', '=', id).execute();
  await db.updateTable('exchanges').set({ full_fetch_started_at: startedAt }).where('id', '=', id).where('full_fetch_started_at', 'is', null).execute();
}

/** A fetch from the beginning completed (or none is pending any more). */
export async function clearFullFetch(db: Executor, id: number): Promise<void> {
  await db.updateTable('exchanges').set({ full_fetch_started_at: null }).where('id', '=', id).execute();
}

/** Up to `limit` contents of a bank neither written nor delivered again since `since` (a refetch's leftovers). */
export async function contentsNotUpdatedSince(db: Executor, bankId: number, since: number, limit: number): Promise<Array<{ id: number; uid: string | null }>> {
  const rows = await db
    .selectFrom('bank_content')
    .select(['id', 'uid'])
    .where('bank_id', '=', bankId)
    .where('updated_at', '<', since)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: Number(r.id), uid: r.uid }));
}

export async function getExchangeCredentials(db: Executor, api: string): Promise<string | undefined> {
  return (await db.selectFrom('exchange_credentials').select('value').where('api', '=', api).executeTakeFirst())?.value;
}

export async function exchangeCredentialsUpdatedAt(db: Executor, api: string): Promise<number | undefined> {
  const r = await db.selectFrom('exchange_credentials').select('updated_at').where('api', '=', api).executeTakeFirst();
  return r === undefined ? undefined : Number(r.updated_at);
}

/** Stores an API's sealed credentials (null: clears them). */
export async function setExchangeCredentials(db: Executor, api: string, sealed: string | null): Promise<void> {
  await db.deleteFrom('exchange_credentials').where('api', '=', api).execute();
  if (sealed !== null) await db.insertInto('exchange_credentials').values({ api, value: sealed, updated_at: now() }).execute();
}

export async function recordExchangeOpinion(
  db: Executor,
  o: {
    exchange_id: number;
    content_id: number;
    uid: string;
    opinion: string;
    reason: string | null;
    status: 'sent' | 'failed';
    answer: string | null;
    error: string | null;
  },
): Promise<number> {
  const r = await db
    .insertInto('exchange_opinions')
    .values({ ...o, sent_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

export async function exchangeOpinionsOf(db: Executor, contentId: number) {
  return (await db.selectFrom('exchange_opinions').selectAll().where('content_id', '=', contentId).orderBy('id').execute()).map((o) => ({
    ...o,
    id: Number(o.id),
    sent_at: Number(o.sent_at),
  }));
}
