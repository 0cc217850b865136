/**
 * The audit log: append-only, hash-chained. Each entry's hash covers its content and the
 * previous entry's hash; the chain head (last id and hash) is kept in `audit_head`, updated in
 * the same transaction and locked while appending, so concurrent writers (several PostgreSQL
 * processes) still form one chain. Editing an entry breaks its hash; deleting one breaks the
 * next entry's link (or the head, for the last).
 *
 * The hash is keyed: HMAC-SHA256 under the node's audit key (`data/audit.key`, never in the
 * database), so someone who can write the database cannot recompute the chain after editing an
 * entry — verification names the entry. Entries an older version wrote before the key existed
 * (ids below the key's `from`) keep their plain SHA-256.
 */
import { createHash, createHmac } from 'node:crypto';
import { CompiledQuery, sql } from 'kysely';
import type { DialectName } from './database.js';
import type { Carried } from './group-commit.js';
import type { AuditEntry } from './schema.js';
import { fixedQuery, isUniqueViolation, prepared, runFixed, type Executor } from './util.js';

export const GENESIS = '0'.repeat(64);

/** An entry to append: the table's row before its id and hashes, with the detail as an object. */
export type NewAuditEntry = Omit<AuditEntry, 'id' | 'detail' | 'prev_hash' | 'hash'> & { detail: Record<string, unknown> };

type Hashed = Omit<AuditEntry, 'id' | 'prev_hash' | 'hash'>;

/** The audit key: entries with ids from `from` on are hashed with it. */
export interface ChainKey {
  key: Buffer;
  from: number;
}

/**
 * The key for appending, given the chain's last id (so a key created now starts after it):
 * called inside the appending transaction, with the chain head locked.
 */
export type ChainKeySource = (lastId: number) => ChainKey;

/** The hash of an entry given its predecessor's hash: HMAC under `key`, plain SHA-256 without. */
export function entryHash(prev: string, e: Hashed, key?: Buffer): string {
  const canonical = JSON.stringify([prev, e.at, e.member_id, e.token_id, e.actor, e.action, e.target, e.detail, e.result_count]);
  return (key ? createHmac('sha256', key) : createHash('sha256')).update(canonical).digest('hex');
}

const AUDIT_COLUMNS = ['at', 'member_id', 'token_id', 'actor', 'action', 'target', 'detail', 'result_count', 'prev_hash', 'hash'] as const;
/** SQLite appends row by row through one prepared statement (cheaper than building a multi-row insert for each group). */
const INSERT_AUDIT = fixedQuery(`insert into audit_log (${AUDIT_COLUMNS.join(', ')}) values (${AUDIT_COLUMNS.map(() => '?').join(', ')}) returning id`);

const HEAD = fixedQuery('select last_id, last_hash from audit_head where id = 1');
const HEAD_FOR_UPDATE = fixedQuery('select last_id, last_hash from audit_head where id = 1 for update');
const UPDATE_HEAD = fixedQuery('update audit_head set last_id = ?, last_hash = ?, mac = ? where id = 1');

const APPEND_AND_MOVE_HEAD = prepared(`with a as (insert into audit_log (id, ${AUDIT_COLUMNS.join(', ')})
    select * from unnest($1::int[], $2::bigint[], $3::int[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[], $9::int[], $10::text[], $11::text[]))
  update audit_head set last_id = $12, last_hash = $13, mac = $14 where id = 1`);

/** Appends entries in order, extending the chain. Must run inside a transaction. */
export async function appendAudit(
  tx: Executor,
  dialect: DialectName,
  entries: NewAuditEntry[],
  keySource?: ChainKeySource,
  /** PostgreSQL: a group's earlier deferral, sent with the head's read (GroupDeferral.carries). */
  carried?: Carried,
): Promise<void> {
  if (carried && dialect !== 'postgres') throw new Error('a carried statement outside PostgreSQL');
  if (entries.length === 0) {
    if (carried) await tx.executeQuery(CompiledQuery.raw(`with ${carried.ctes} select null`, carried.params));
    return;
  }
  const readHead = async () => (await runFixed<{ last_id: number; last_hash: string }>(tx, dialect === 'postgres' ? HEAD_FOR_UPDATE : HEAD, []))[0];
  let head = carried
    ? (
        await tx.executeQuery<{ last_id: number; last_hash: string }>(
          CompiledQuery.raw(prepared(`with ${carried.ctes} ${HEAD_FOR_UPDATE.postgres}`), carried.params),
        )
      ).rows[0]
    : await readHead();
  // PostgreSQL: concurrent first appends would each find no head and race to insert it; an empty
  // head (written over below, in this transaction) makes the second wait for the first's lock.
  if (!head && dialect === 'postgres') {
    await sql`insert into audit_head (id, last_id, last_hash, mac) values (1, 0, ${GENESIS}, null) on conflict (id) do nothing`.execute(tx);
    head = await readHead();
  }
  let prev = head?.last_hash ?? GENESIS;
  let lastId = head?.last_id ?? 0;
  const key = keySource?.(lastId).key;
  const rows = entries.map((e) => {
    const row: Hashed = { ...e, detail: JSON.stringify(e.detail) };
    const hash = entryHash(prev, row, key);
    const out = { ...row, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
  if (dialect === 'sqlite')
    for (const row of rows)
      lastId = (
        await runFixed<{ id: number }>(
          tx,
          INSERT_AUDIT,
          AUDIT_COLUMNS.map((c) => row[c]),
        )
      )[0].id;
  else {
    // PostgreSQL, under the head's lock (the head exists: see above): the entries take the ids
    // after the head's — every append comes here, so the head's is the last — and go in with the
    // head's update, in one round trip.
    const ids = rows.map((_, i) => lastId + 1 + i);
    lastId += rows.length;
    const mac = key ? headMac(key, lastId, prev) : null;
    await tx.executeQuery(CompiledQuery.raw(APPEND_AND_MOVE_HEAD, [ids, ...AUDIT_COLUMNS.map((c) => rows.map((r) => r[c])), lastId, prev, mac]));
    return;
  }
  const mac = key ? headMac(key, lastId, prev) : null;
  if (head) await runFixed(tx, UPDATE_HEAD, [lastId, prev, mac]);
  else await tx.insertInto('audit_head').values({ id: 1, last_id: lastId, last_hash: prev, mac }).execute();
}

/**
 * The head's seal: someone who deletes the last entries and points the head at an earlier one
 * cannot seal it without the key (unless they kept that earlier head's seal from before).
 */
export function headMac(key: Buffer, lastId: number, lastHash: string): string {
  return createHmac('sha256', key).update(`alliance-audit-head\n${lastId}\n${lastHash}`).digest('hex');
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
  /** Signed checkpoints the chain was checked against (audit/checkpoints.ts). */
  checkpoints?: { checked: number; latest_entry: number | null; latest_at: string | null; witnesses: number };
}

/** The chain head: the last entry's id and hash (undefined: no entry yet). */
export async function auditHead(db: Executor): Promise<{ last_id: number; last_hash: string } | undefined> {
  return db.selectFrom('audit_head').select(['last_id', 'last_hash']).where('id', '=', 1).executeTakeFirst();
}

/**
 * Walks the whole chain in id order. `key` checks the keyed entries; `visit` sees every entry's
 * id and stored hash once it verified (to compare with checkpoints in the same pass).
 */
export async function verifyAudit(db: Executor, key?: ChainKey, visit?: (id: number, hash: string) => void, pageSize = 5000): Promise<ChainReport> {
  let prev = GENESIS;
  let lastId = 0;
  let entries = 0;
  for (;;) {
    const page = await db.selectFrom('audit_log').selectAll().where('id', '>', lastId).orderBy('id').limit(pageSize).execute();
    for (const e of page) {
      if (e.prev_hash !== prev) {
        return {
          ok: false,
          entries,
          problem: { id: e.id, reason: `entry ${e.id} does not follow entry ${lastId || 'genesis'}: an entry before it was deleted or edited` },
        };
      }
      const { id: _id, prev_hash: _p, hash, ...rest } = e;
      const keyed = key !== undefined && e.id >= key.from;
      if (entryHash(prev, rest, keyed ? key.key : undefined) !== hash) {
        return {
          ok: false,
          entries,
          problem: {
            id: e.id,
            reason: `entry ${e.id} was edited (its content no longer matches its ${keyed ? 'keyed ' : ''}hash${keyed ? ": rewritten, or hashed without this node's audit key" : ''})`,
          },
        };
      }
      visit?.(e.id, hash);
      prev = hash;
      lastId = e.id;
      entries++;
    }
    if (page.length < pageSize) break;
  }
  const head = await db.selectFrom('audit_head').selectAll().where('id', '=', 1).executeTakeFirst();
  if (head && (head.last_id !== lastId || head.last_hash !== prev)) {
    return {
      ok: false,
      entries,
      problem: {
        id: head.last_id,
        reason: `the chain ends at entry ${lastId || 'genesis'} but its head records entry ${head.last_id}: the last entries were deleted`,
      },
    };
  }
  if (!head && entries > 0) return { ok: false, entries, problem: { id: lastId, reason: 'the chain head is missing' } };
  if (head && key && head.last_id >= key.from && head.mac !== headMac(key.key, head.last_id, head.last_hash)) {
    return {
      ok: false,
      entries,
      problem: {
        id: head.last_id,
        reason: `the chain head (entry ${head.last_id}) does not carry its keyed seal: it was set by hand (the last entries were deleted, or the head moved)`,
      },
    };
  }
  return { ok: true, entries };
}

/** The checkpoint a witness kept for a peer at `entry`, if any. */
export function witnessedAt(db: Executor, peerId: number, entry: number): Promise<{ hash: string; signed_at: string } | undefined> {
  return db.selectFrom('audit_witness').select(['hash', 'signed_at']).where('peer_id', '=', peerId).where('entry', '=', entry).executeTakeFirst();
}

/** Every checkpoint a witness kept for a peer, oldest first. */
export function witnessedCheckpoints(db: Executor, peerId: number): Promise<Array<{ entry: number; signed_at: string; envelope: string }>> {
  return db.selectFrom('audit_witness').select(['entry', 'signed_at', 'envelope']).where('peer_id', '=', peerId).orderBy('entry').execute();
}

/** Keeps a peer's checkpoint (false: one of that entry is kept already). */
export async function keepWitnessedCheckpoint(
  db: Executor,
  peerId: number,
  c: { entry: number; hash: string; signed_at: string; envelope: string },
): Promise<boolean> {
  try {
    await db
      .insertInto('audit_witness')
      .values({ peer_id: peerId, ...c, received_at: Date.now() })
      .execute();
    return true;
  } catch (err) {
    if (isUniqueViolation(err)) return false;
    throw err;
  }
}

/** Forgets kept checkpoints of a peer (thinning). */
export async function dropWitnessedCheckpoints(db: Executor, peerId: number, entries: number[]): Promise<void> {
  for (let i = 0; i < entries.length; i += 500)
    await db
      .deleteFrom('audit_witness')
      .where('peer_id', '=', peerId)
      .where('entry', 'in', entries.slice(i, i + 500))
      .execute();
}
