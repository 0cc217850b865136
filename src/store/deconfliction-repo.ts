/**
 * Deconfliction: cases, their targets (keyed hashes; the targets feed reads them by id), the
 * alerts raised when two cases share a target, and the position reached in each peer's feed.
 */
import type { CaseRow } from './cases-schema.js';
import { insertRows } from './bulk.js';
import type { DialectName } from './database.js';
import { lockFeedLog, now, type Executor } from './util.js';

export interface TargetRow {
  kind: string;
  keyed_hash: string;
  hint: string;
  valid_from: number | null;
  valid_to: number | null;
}

/** A new own case; its uid names the id the insert draws. */
export async function insertOwnCase(
  db: Executor,
  c: { reference: string; owner_member: string; contact_point: string; created_by: string },
  uidOf: (id: number) => string,
): Promise<{ id: number; uid: string }> {
  const row = await db
    .insertInto('cases')
    .values({ uid: `pending:${Math.random()}`, ...c, created_at: now(), received_from: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  const uid = uidOf(row.id);
  await db.updateTable('cases').set({ uid }).where('id', '=', row.id).execute();
  return { id: row.id, uid };
}

/** One of this node's own cases. */
export function ownCase(db: Executor, id: number): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('id', '=', id).where('received_from', 'is', null).executeTakeFirst();
}

export function caseByUid(db: Executor, uid: string): Promise<CaseRow | undefined> {
  return db.selectFrom('cases').selectAll().where('uid', '=', uid).executeTakeFirst();
}

export async function setCaseContact(db: Executor, id: number, contact: string): Promise<void> {
  await db.updateTable('cases').set({ contact_point: contact }).where('id', '=', id).execute();
}

/** A case received from a peer (its targets came in that peer's feed). */
export function insertReceivedCase(db: Executor, c: { uid: string; owner_member: string; contact_point: string; received_from: number }): Promise<CaseRow> {
  return db
    .insertInto('cases')
    .values({ ...c, reference: '', created_by: `peer:${c.owner_member}`, created_at: now() })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Call in the transaction before adding targets: their ids are positions in the targets feed. */
export function lockTargets(db: Executor): Promise<void> {
  return lockFeedLog(db, 'case_targets');
}

export async function insertTarget(db: Executor, caseId: number, t: TargetRow): Promise<void> {
  await db
    .insertInto('case_targets')
    .values({ case_id: caseId, ...t, created_at: now() })
    .execute();
}

const CASE_TARGET_COLUMNS = ['case_id', 'kind', 'keyed_hash', 'hint', 'valid_from', 'valid_to', 'created_at'] as const;

/** Many targets of one case at once (multi-row inserts; their ids keep the order given). */
export async function insertCaseTargets(db: Executor, dialect: DialectName, caseId: number, targets: TargetRow[]): Promise<void> {
  const t = now();
  await insertRows(
    db,
    dialect,
    'case_targets',
    CASE_TARGET_COLUMNS,
    targets.map((x) => [caseId, x.kind, x.keyed_hash, x.hint, x.valid_from, x.valid_to, t]),
  );
}

/** Targets of other cases than `caseId` with any of the keyed hashes, with their case and the hash they share (in queries of 500 hashes). */
export async function targetsLikeAny(db: Executor, keyedHashes: string[], caseId: number) {
  const out = [];
  for (let i = 0; i < keyedHashes.length; i += 500)
    out.push(
      ...(await db
        .selectFrom('case_targets as t')
        .innerJoin('cases as o', 'o.id', 't.case_id')
        .select(['o.id', 'o.uid', 'o.owner_member', 'o.contact_point', 'o.received_from', 't.hint', 't.valid_from', 't.valid_to', 't.keyed_hash'])
        .where('t.keyed_hash', 'in', keyedHashes.slice(i, i + 500))
        .where('t.case_id', '!=', caseId)
        .orderBy('t.id')
        .execute()),
    );
  return out;
}

/** Targets of other cases than `caseId` with the same keyed hash, with their case. */
export function targetsLike(db: Executor, keyedHash: string, caseId: number) {
  return db
    .selectFrom('case_targets as t')
    .innerJoin('cases as o', 'o.id', 't.case_id')
    .select(['o.id', 'o.uid', 'o.owner_member', 'o.contact_point', 'o.received_from', 't.hint', 't.valid_from', 't.valid_to'])
    .where('t.keyed_hash', '=', keyedHash)
    .where('t.case_id', '!=', caseId)
    .execute();
}

/** An alert on one of this node's cases; 1 when new, 0 when it was raised already. */
export async function insertAlert(
  db: Executor,
  a: { case_id: number; kind: string; other_case: string; other_member: string; other_contact: string; hint: string },
): Promise<number> {
  const r = await db
    .insertInto('deconfliction_alerts')
    .values({ ...a, created_at: now() })
    .onConflict((oc) => oc.columns(['case_id', 'other_case', 'kind', 'hint']).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** Own cases' targets after position `since`, in order (the targets feed). */
export function ownTargetsSince(db: Executor, since: number, limit: number) {
  return db
    .selectFrom('case_targets as t')
    .innerJoin('cases as c', 'c.id', 't.case_id')
    .select(['t.id', 'c.uid', 'c.contact_point', 't.kind', 't.keyed_hash', 't.valid_from', 't.valid_to'])
    .where('c.received_from', 'is', null)
    .where('t.id', '>', since)
    .orderBy('t.id')
    .limit(limit)
    .execute();
}

/** Records how far a peer's targets feed was read, or (with `last_error`) why reading it failed. */
export async function setTargetCheckpoint(db: Executor, peerId: number, values: { checkpoint?: number; last_error: string | null }): Promise<void> {
  await db
    .insertInto('target_checkpoints')
    .values({ peer_id: peerId, checkpoint: values.checkpoint ?? 0, last_success_at: values.last_error ? null : now(), last_error: values.last_error })
    .onConflict((oc) =>
      oc
        .column('peer_id')
        .doUpdateSet(values.last_error ? { last_error: values.last_error } : { checkpoint: values.checkpoint!, last_success_at: now(), last_error: null }),
    )
    .execute();
}

export async function targetCheckpoint(db: Executor, peerId: number): Promise<number> {
  return Number((await db.selectFrom('target_checkpoints').select('checkpoint').where('peer_id', '=', peerId).executeTakeFirst())?.checkpoint ?? 0);
}

/** Alerts of this node's cases (or one case), newest first. */
export function listAlerts(db: Executor, caseId: number | undefined, limit: number) {
  let q = db
    .selectFrom('deconfliction_alerts as a')
    .innerJoin('cases as c', 'c.id', 'a.case_id')
    .select(['a.id', 'c.uid as case', 'c.reference', 'a.kind', 'a.hint', 'a.other_case', 'a.other_member', 'a.other_contact', 'a.created_at']);
  if (caseId !== undefined) q = q.where('a.case_id', '=', caseId);
  return q.orderBy('a.id', 'desc').limit(limit).execute();
}

/** This node's own cases, newest first, with how many targets each has. */
export function listOwnCases(db: Executor) {
  return db
    .selectFrom('cases as c')
    .select(['c.id', 'c.uid', 'c.reference', 'c.contact_point', 'c.created_at'])
    .where('c.received_from', 'is', null)
    .select((eb) => eb.selectFrom('case_targets as t').select(eb.fn.countAll<number>().as('n')).whereRef('t.case_id', '=', 'c.id').as('targets'))
    .orderBy('c.id', 'desc')
    .execute();
}
