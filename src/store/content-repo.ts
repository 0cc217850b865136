/**
 * Bank content and its signals. Every signal insert or delete also appends to the index change
 * log in the same transaction, so the matchers can never miss or double-apply a change.
 */
import { CompiledQuery, sql } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import type { DialectName } from './database.js';
import type { BankContent, BankContentTable, Signal } from './schema.js';
import { insertRows } from './bulk.js';
import { jsonColumn } from './json-limits.js';
import { now, onPostgres, type Executor } from './util.js';

export interface NewContent {
  bank_id: number;
  classification: string | null;
  tags: string[];
  note: string | null;
  metadata?: Record<string, unknown> | null;
  source_member: string | null;
  disabled_until: number | null;
  first_seen?: number;
  /** Federation provenance (imported content). */
  uid?: string | null;
  origin_member?: string | null;
  origin_bank?: string | null;
  chain?: string[] | null;
  received_from?: number | null;
}

export interface NewSignal {
  signal_type: string;
  value: string;
  quality?: number | null;
}

export async function insertContent(db: Executor, c: NewContent): Promise<BankContent> {
  const t = now();
  return db
    .insertInto('bank_content')
    .values({
      ...c,
      tags: JSON.stringify(c.tags),
      metadata: c.metadata ? jsonColumn(c.metadata, 'metadata') : null,
      chain: c.chain ? JSON.stringify(c.chain) : null,
      first_seen: c.first_seen ?? t,
      last_seen: t,
      created_at: t,
      updated_at: t,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getContent(db: Executor, id: number): Promise<BankContent> {
  const c = await db.selectFrom('bank_content').selectAll().where('id', '=', id).executeTakeFirst();
  if (!c) throw new AllianceError('CONTENT_NOT_FOUND', `no bank content ${id}`);
  return c;
}

/**
 * A bank's content a page at a time, optionally only content with a signal whose value is `hash`
 * (as given or lower-cased) or carrying the tag `tag` (exactly).
 */
export function listContent(db: Executor, bankId: number, opts: { limit: number; afterId?: number; hash?: string; tag?: string }): Promise<BankContent[]> {
  let q = db.selectFrom('bank_content').selectAll().where('bank_id', '=', bankId).orderBy('id').limit(opts.limit);
  if (opts.afterId !== undefined) q = q.where('id', '>', opts.afterId);
  if (opts.hash !== undefined) {
    const values = [...new Set([opts.hash, opts.hash.toLowerCase()])];
    q = q.where('id', 'in', db.selectFrom('signals').select('content_id').where('bank_id', '=', bankId).where('value', 'in', values));
  }
  if (opts.tag !== undefined) {
    // Tags are a JSON array of strings: the tag, JSON-quoted, is a substring of it (LIKE's wildcards escaped).
    const pattern = `%${JSON.stringify(opts.tag).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    q = q.where(sql<boolean>`tags like ${pattern} escape '\\'`);
  }
  return q.execute();
}

export async function updateContent(
  db: Executor,
  id: number,
  fields: Partial<Pick<BankContentTable, 'classification' | 'tags' | 'note' | 'metadata' | 'disabled_until' | 'last_seen' | 'first_seen' | 'chain'>>,
): Promise<BankContent> {
  const c = await db
    .updateTable('bank_content')
    .set({ ...fields, updated_at: now() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
  if (!c) throw new AllianceError('CONTENT_NOT_FOUND', `no bank content ${id}`);
  return c;
}

/**
 * Call before appending to the change log. Matchers read the log by sequence number, so numbers
 * must become visible in order: on PostgreSQL a transaction that drew seq 11 could otherwise
 * commit before the one holding seq 10, and a matcher that read 11 would skip 10 for ever. This
 * transaction-scoped lock makes writers of the log draw and commit one after another (SQLite
 * has one writer anyway).
 */
async function lockChangeLog(db: Executor): Promise<void> {
  if (onPostgres(db)) await sql`select pg_advisory_xact_lock(7231500)`.execute(db);
}

/** Records index changes for the signals selected by a column (before a cascade delete). */
async function logRemovals(db: Executor, column: 'id' | 'content_id' | 'bank_id', value: number): Promise<number> {
  const rows = await db.selectFrom('signals').select(['id', 'signal_type', 'value']).where(column, '=', value).execute();
  if (rows.length === 0) return 0;
  const at = now();
  await lockChangeLog(db);
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('signal_changes')
      .values(rows.slice(i, i + 500).map((r) => ({ signal_id: r.id, signal_type: r.signal_type, op: 'remove' as const, value: r.value, at })))
      .execute();
  }
  return rows.length;
}

export async function deleteContent(db: Executor, id: number): Promise<number> {
  const removed = await logRemovals(db, 'content_id', id);
  await db.deleteFrom('signals').where('content_id', '=', id).execute();
  const r = await db.deleteFrom('bank_content').where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw new AllianceError('CONTENT_NOT_FOUND', `no bank content ${id}`);
  return removed;
}

/** Deletes a bank's signals and content, logging the index removals. */
export async function deleteBankContents(db: Executor, bankId: number): Promise<number> {
  const removed = await logRemovals(db, 'bank_id', bankId);
  await db.deleteFrom('signals').where('bank_id', '=', bankId).execute();
  await db.deleteFrom('bank_content').where('bank_id', '=', bankId).execute();
  return removed;
}

export async function insertSignals(db: Executor, contentId: number, bankId: number, signals: NewSignal[]): Promise<Signal[]> {
  if (signals.length === 0) return [];
  const at = now();
  const rows = await db
    .insertInto('signals')
    .values(
      signals.map((s) => ({ content_id: contentId, bank_id: bankId, signal_type: s.signal_type, value: s.value, quality: s.quality ?? null, created_at: at })),
    )
    .returningAll()
    .execute();
  await lockChangeLog(db);
  await db
    .insertInto('signal_changes')
    .values(rows.map((r) => ({ signal_id: r.id, signal_type: r.signal_type, op: 'add' as const, value: null, at })))
    .execute();
  return rows;
}

export async function getSignal(db: Executor, id: number): Promise<Signal> {
  const s = await db.selectFrom('signals').selectAll().where('id', '=', id).executeTakeFirst();
  if (!s) throw new AllianceError('SIGNAL_NOT_FOUND', `no signal ${id}`);
  return s;
}

export async function deleteSignal(db: Executor, id: number): Promise<Signal> {
  const s = await getSignal(db, id);
  await logRemovals(db, 'id', id);
  await db.deleteFrom('signals').where('id', '=', id).execute();
  return s;
}

export function signalsOfContent(db: Executor, contentIds: number[]): Promise<Signal[]> {
  if (contentIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('signals').selectAll().where('content_id', 'in', contentIds).orderBy('id').execute();
}

/** How many signals of a type are stored (what an index build's pages will hold, read in the same transaction). */
export async function countSignals(db: Executor, signalType: string): Promise<number> {
  const row = await db
    .selectFrom('signals')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('signal_type', '=', signalType)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Every signal of a type in id order, in pages (index builds). */
export async function* allSignals(db: Executor, signalType: string, pageSize = 20_000): AsyncGenerator<Array<Pick<Signal, 'id' | 'value'>>> {
  let after = 0;
  for (;;) {
    const page = await db
      .selectFrom('signals')
      .select(['id', 'value'])
      .where('signal_type', '=', signalType)
      .where('id', '>', after)
      .orderBy('id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

export interface SignalChange {
  seq: number;
  /** When the change was logged (epoch ms). */
  at: number;
  signal_id: number;
  signal_type: string;
  op: 'add' | 'remove';
  value: string | null;
}

/** Changes after `seq` with the value to add or remove (null for an add whose signal was deleted since: its remove follows). */
export async function changesSince(db: Executor, seq: number, limit = 10_000): Promise<SignalChange[]> {
  const rows = await db
    .selectFrom('signal_changes')
    .leftJoin('signals', 'signals.id', 'signal_changes.signal_id')
    .select([
      'signal_changes.seq',
      'signal_changes.at',
      'signal_changes.signal_id',
      'signal_changes.signal_type',
      'signal_changes.op',
      'signal_changes.value as removed',
      'signals.value as current',
    ])
    .where('signal_changes.seq', '>', seq)
    .orderBy('signal_changes.seq')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    at: Number(r.at),
    signal_id: r.signal_id,
    signal_type: r.signal_type,
    op: r.op as 'add' | 'remove',
    value: (r.op === 'remove' ? r.removed : r.current) ?? null,
  }));
}

export async function lastChangeSeq(db: Executor): Promise<number> {
  const r = await db
    .selectFrom('signal_changes')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(r?.seq ?? 0);
}

/**
 * `n` fresh ids of `table`: PostgreSQL draws them from the sequence (safe with concurrent
 * writers); SQLite continues after the highest id, which is stable because the caller's
 * transaction has already written (so it holds the only write lock).
 */
async function allocateIds(db: Executor, dialect: DialectName, table: 'bank_content' | 'signals', n: number): Promise<number[]> {
  if (n === 0) return [];
  if (dialect === 'postgres') {
    const r = await sql<{ id: number }>`select nextval(pg_get_serial_sequence(${table}, 'id'))::integer as id from generate_series(1, ${n})`.execute(db);
    return r.rows.map((x) => Number(x.id));
  }
  // AUTOINCREMENT never reuses an id: continue after the highest ever given (sqlite_sequence).
  const r = await sql<{
    id: number | null;
  }>`select max(coalesce((select seq from sqlite_sequence where name = ${table}), 0), coalesce((select max(id) from ${sql.table(table)}), 0)) as id`.execute(
    db,
  );
  const base = Number(r.rows[0]?.id ?? 0);
  return Array.from({ length: n }, (_, i) => base + 1 + i);
}

export interface BulkItem {
  content: Omit<NewContent, 'bank_id'>;
  signals: NewSignal[];
}

const CONTENT_COLUMNS = [
  'id',
  'bank_id',
  'classification',
  'tags',
  'note',
  'metadata',
  'source_member',
  'disabled_until',
  'first_seen',
  'last_seen',
  'created_at',
  'updated_at',
  'uid',
  'origin_member',
  'origin_bank',
  'chain',
  'received_from',
] as const;
const SIGNAL_COLUMNS = ['id', 'content_id', 'bank_id', 'signal_type', 'value', 'quality', 'created_at'] as const;
const CHANGE_COLUMNS = ['signal_id', 'signal_type', 'op', 'value', 'at'] as const;

/**
 * Inserts many contents with their signals and change-log rows in multi-row statements (bulk
 * imports: a million rows in seconds rather than minutes). Must run inside a transaction that
 * has already written (see allocateIds). Returns the content ids in item order.
 */
export async function bulkInsertContents(db: Executor, dialect: DialectName, bankId: number, items: BulkItem[]): Promise<number[]> {
  const t = now();
  const contentIds = await allocateIds(db, dialect, 'bank_content', items.length);
  await insertRows(
    db,
    dialect,
    'bank_content',
    CONTENT_COLUMNS,
    items.map(({ content: c }, i) => [
      contentIds[i],
      bankId,
      c.classification,
      JSON.stringify(c.tags),
      c.note,
      c.metadata ? jsonColumn(c.metadata, 'metadata') : null,
      c.source_member,
      c.disabled_until,
      c.first_seen ?? t,
      t,
      t,
      t,
      c.uid ?? null,
      c.origin_member ?? null,
      c.origin_bank ?? null,
      c.chain ? JSON.stringify(c.chain) : null,
      c.received_from ?? null,
    ]),
  );
  const signals = items.flatMap((item, i) => item.signals.map((s) => ({ ...s, content_id: contentIds[i] })));
  const signalIds = await allocateIds(db, dialect, 'signals', signals.length);
  await insertRows(
    db,
    dialect,
    'signals',
    SIGNAL_COLUMNS,
    signals.map((s, i) => [signalIds[i], s.content_id, bankId, s.signal_type, s.value, s.quality ?? null, t]),
  );
  await lockChangeLog(db);
  await insertRows(
    db,
    dialect,
    'signal_changes',
    CHANGE_COLUMNS,
    signals.map((s, i) => [signalIds[i], s.signal_type, 'add', null, t]),
  );
  return contentIds;
}

/** The statement text of contentIdsByUid for `n` uids (kept: SQLite keeps each prepared). */
const uidLookups = new Map<string, string>();
function uidLookup(postgres: boolean, n: number): string {
  const key = `${postgres ? 'pg' : 'sqlite'} ${n}`;
  let text = uidLookups.get(key);
  if (!text) {
    const params = Array.from({ length: n }, (_, j) => (postgres ? `$${j + 2}` : '?')).join(', ');
    text = `select "id", "uid" from "bank_content" where "bank_id" = ${postgres ? '$1' : '?'} and "uid" in (${params})`;
    uidLookups.set(key, text);
  }
  return text;
}

/** Contents of a bank by their federation uid (500 uids a statement, each statement prepared once). */
export async function contentIdsByUid(db: Executor, bankId: number, uids: string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const postgres = onPostgres(db);
  for (let i = 0; i < uids.length; i += 500) {
    const chunk = uids.slice(i, i + 500);
    const r = await db.executeQuery<{ id: number; uid: string | null }>(CompiledQuery.raw(uidLookup(postgres, chunk.length), [bankId, ...chunk]));
    for (const row of r.rows) if (row.uid) out.set(row.uid, Number(row.id));
  }
  return out;
}

/** What a match's content says beyond its signals: metadata, note, tags and times, per content id. */
export async function contentFacts(
  db: Executor,
  ids: number[],
): Promise<Map<number, Pick<BankContent, 'id' | 'metadata' | 'note' | 'tags' | 'first_seen' | 'updated_at'>>> {
  const out = new Map<number, Pick<BankContent, 'id' | 'metadata' | 'note' | 'tags' | 'first_seen' | 'updated_at'>>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('bank_content')
      .select(['id', 'metadata', 'note', 'tags', 'first_seen', 'updated_at'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, { ...r, first_seen: Number(r.first_seen), updated_at: Number(r.updated_at) });
  }
  return out;
}

/** Those of `ids` that are bank contents. */
export async function existingContentIds(db: Executor, ids: number[]): Promise<number[]> {
  return (await db.selectFrom('bank_content').select('id').where('id', 'in', ids).execute()).map((r) => r.id);
}
