/**
 * The audit log: append-only, hash-chained. Each entry's hash covers its content and the
 * previous entry's hash; the chain head (last id and hash) is kept in `audit_head`, updated in
 * the same transaction and locked while appending, so concurrent writers (several PostgreSQL
 * processes) still form one chain. Editing an entry breaks its hash; deleting one breaks the
 * next entry's link (or the head, for the last).
 */
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { DialectName } from './database.js';
import type { AuditEntry } from './schema.js';
import type { Executor } from './util.js';

export const GENESIS = '0'.repeat(64);

/** An entry to append: the table's row before its id and hashes, with the detail as an object. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'detail' | 'prev_hash' | 'hash'> & { detail: Record<string, unknown> };

type Hashed = Omit<AuditEntry, 'id' | 'prev_hash' | 'hash'>;

/** The hash of an entry given its predecessor's hash. */
export function entryHash(prev: string, e: Hashed): string {
  const canonical = JSON.stringify([prev, e.at, e.member_id, e.token_id, e.actor, e.action, e.target, e.detail, e.result_count]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Appends entries in order, extending the chain. Must run inside a transaction. */
export async function appendAudit(tx: Executor, dialect: DialectName, entries: NewAuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const lock = dialect === 'postgres' ? sql` for update` : sql``;
  const head = (await sql<{ last_id: number; last_hash: string }>`select last_id, last_hash from audit_head where id = 1${lock}`.execute(tx)).rows[0];
  let prev = head?.last_hash ?? GENESIS;
  let lastId = head?.last_id ?? 0;
  const rows = entries.map((e) => {
    const row: Hashed = { ...e, detail: JSON.stringify(e.detail) };
    const hash = entryHash(prev, row);
    const out = { ...row, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
  // Multi-row inserts keep the order of their rows, so ids follow the chain.
  for (let i = 0; i < rows.length; i += 200) {
    const ids = await tx.insertInto('audit_log').values(rows.slice(i, i + 200)).returning('id').execute();
    lastId = Math.max(lastId, ...ids.map((r) => r.id));
  }
  if (head) await tx.updateTable('audit_head').set({ last_id: lastId, last_hash: prev }).where('id', '=', 1).execute();
  else await tx.insertInto('audit_head').values({ id: 1, last_id: lastId, last_hash: prev }).execute();
}

export interface AuditQuery {
  limit: number;
  beforeId?: number;
  action?: string;
  memberId?: number;
}

export function listAudit(db: Executor, q: AuditQuery): Promise<AuditEntry[]> {
  let query = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(q.limit);
  if (q.beforeId !== undefined) query = query.where('id', '<', q.beforeId);
  if (q.action) query = query.where('action', '=', q.action);
  if (q.memberId !== undefined) query = query.where('member_id', '=', q.memberId);
  return query.execute();
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  /** The first entry that does not verify, and why. */
  problem?: { id: number; reason: string };
}

/** Walks the whole chain in id order. */
export async function verifyAudit(db: Executor, pageSize = 5000): Promise<ChainReport> {
  let prev = GENESIS;
  let lastId = 0;
  let entries = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(pageSize).execute();
    for (const e of page) {
      if (e.prev_hash !== prev) {
        return { ok: false, entries, problem: { id: e.id, reason: `entry ${e.id} does not follow entry ${lastId || 'genesis'}: an entry before it was deleted or edited` } };
      }
      const { id: _id, prev_hash: _p, hash, ...rest } = e;
      if (entryHash(prev, rest) !== hash) return { ok: false, entries, problem: { id: e.id, reason: `entry ${e.id} was edited (its content no longer matches its hash)` } };
      prev = hash;
      lastId = e.id;
      entries++;
    }
    if (page.length < pageSize) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
  if (head && (head.last_id !== lastId || head.last_hash !== prev)) {
    return { ok: false, entries, problem: { id: head.last_id, reason: `the chain ends at entry ${lastId || 'genesis'} but its head records entry ${head.last_id}: the last entries were deleted` } };
  }
  if (!head && entries > 0) return { ok: false, entries, problem: { id: lastId, reason: 'the chain head is missing' } };
  return { ok: true, entries };
}
