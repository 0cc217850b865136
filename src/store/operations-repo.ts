/** Joint operations and their targets (src/operations/). */
import { sql } from 'kysely';
import { insertRows } from './bulk.js';
import type { DialectName } from './database.js';
import type { OperationsTable, OperationTargetsTable } from './schema.js';
import { now, type Executor } from './util.js';

export type OperationRow = Omit<OperationsTable, 'id'> & { id: number };
export type OperationTargetRow = Omit<OperationTargetsTable, 'id'> & { id: number };

const operationNumbers = (r: OperationRow): OperationRow => ({
  ...r,
  id: Number(r.id),
  starts_at: r.starts_at === null ? null : Number(r.starts_at),
  deconfliction_case_id: r.deconfliction_case_id === null ? null : Number(r.deconfliction_case_id),
  ends_at: r.ends_at === null ? null : Number(r.ends_at),
  created_at: Number(r.created_at),
});

export async function insertOperation(
  db: Executor,
  o: Omit<OperationsTable, 'id' | 'uid' | 'created_at' | 'deconfliction_case_id'>,
  uidOf: (id: number) => string,
): Promise<OperationRow> {
  const r = await db
    .insertInto('operations')
    .values({ ...o, uid: `pending-${o.name}`, created_at: now() })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(r.id);
  await db
    .updateTable('operations')
    .set({ uid: uidOf(id) })
    .where('id', '=', id)
    .execute();
  return (await findOperation(db, id))!;
}

export async function findOperation(db: Executor, id: number): Promise<OperationRow | undefined> {
  const r = await db.selectFrom('operations').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? operationNumbers(r as OperationRow) : undefined;
}

export async function findOperationByName(db: Executor, name: string): Promise<OperationRow | undefined> {
  const r = await db.selectFrom('operations').selectAll().where('name', '=', name).executeTakeFirst();
  return r ? operationNumbers(r as OperationRow) : undefined;
}

export async function listOperations(db: Executor): Promise<Array<OperationRow & { targets: number }>> {
  const rows = await db
    .selectFrom('operations')
    .selectAll('operations')
    .select((eb) => eb.selectFrom('operation_targets').select(eb.fn.countAll().as('n')).whereRef('operation_id', '=', 'operations.id').as('targets'))
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...operationNumbers(r as OperationRow), targets: Number(r.targets ?? 0) }));
}

/** The refs among `refs` an operation has already. */
export async function existingTargetRefs(db: Executor, operationId: number, refs: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < refs.length; i += 500) {
    const rows = await db
      .selectFrom('operation_targets')
      .select('ref')
      .where('operation_id', '=', operationId)
      .where('ref', 'in', refs.slice(i, i + 500))
      .execute();
    for (const r of rows) out.add(r.ref);
  }
  return out;
}

const TARGET_COLUMNS = ['operation_id', 'ref', 'identifiers', 'country', 'confidence', 'reasons', 'hashes', 'matched', 'created_at'] as const;

export type NewTarget = Pick<OperationTargetsTable, 'ref' | 'identifiers' | 'country' | 'confidence' | 'reasons' | 'hashes' | 'matched'>;

export async function insertTargets(db: Executor, dialect: DialectName, operationId: number, targets: NewTarget[]): Promise<void> {
  const t = now();
  await insertRows(
    db,
    dialect,
    'operation_targets',
    TARGET_COLUMNS,
    targets.map((x) => [operationId, x.ref, x.identifiers, x.country, x.confidence, x.reasons, x.hashes, x.matched, t]),
  );
}

const targetNumbers = (r: OperationTargetRow): OperationTargetRow => ({
  ...r,
  deconflicted_at: r.deconflicted_at === null ? null : Number(r.deconflicted_at),
  released_at: r.released_at === null ? null : Number(r.released_at),
  held: Number(r.held),
  id: Number(r.id),
  operation_id: Number(r.operation_id),
  hashes: Number(r.hashes),
  overridden_at: r.overridden_at === null ? null : Number(r.overridden_at),
  created_at: Number(r.created_at),
});

/** The country a target is referred to: the analyst's override, else the attributed one. */
const effectiveCountry = sql<string | null>`coalesce(override_country, country)`;

/** What deconfliction said of a target: held (until an analyst releases it), or released (held, then released). */
export type TargetStatus = 'held' | 'released';

export async function listTargets(
  db: Executor,
  operationId: number,
  q: { country?: string | null; status?: TargetStatus; limit: number; offset: number },
): Promise<OperationTargetRow[]> {
  let query = db.selectFrom('operation_targets').selectAll().where('operation_id', '=', operationId);
  if (q.country === null) query = query.where(effectiveCountry, 'is', null);
  else if (q.country !== undefined) query = query.where(effectiveCountry, '=', q.country);
  if (q.status === 'held') query = query.where('held', '=', 1);
  else if (q.status === 'released') query = query.where('held', '=', 0).where('released_at', 'is not', null);
  const rows = await query.orderBy('id').limit(q.limit).offset(q.offset).execute();
  return rows.map((r) => targetNumbers(r as OperationTargetRow));
}

export async function findTarget(db: Executor, operationId: number, ref: string): Promise<OperationTargetRow | undefined> {
  const r = await db.selectFrom('operation_targets').selectAll().where('operation_id', '=', operationId).where('ref', '=', ref).executeTakeFirst();
  return r ? targetNumbers(r as OperationTargetRow) : undefined;
}

export async function overrideTarget(db: Executor, id: number, o: { country: string | null; reason: string | null; by: string | null }): Promise<void> {
  await db
    .updateTable('operation_targets')
    .set({ override_country: o.country, override_reason: o.reason, overridden_by: o.by, overridden_at: o.by === null ? null : now() })
    .where('id', '=', id)
    .execute();
}

export async function setOperationCase(db: Executor, id: number, caseId: number): Promise<void> {
  await db.updateTable('operations').set({ deconfliction_case_id: caseId }).where('id', '=', id).execute();
}

/** Up to `limit` targets whose identifiers are not checked against deconfliction yet, in order. */
/** Targets not yet checked against deconfliction, in id order after `afterId` (a caller walking them passes the last it saw: no rescan of those done). */
export async function targetsToDeconflict(db: Executor, operationId: number, limit: number, afterId = 0): Promise<OperationTargetRow[]> {
  const rows = await db
    .selectFrom('operation_targets')
    .selectAll()
    .where('id', '>', afterId)
    // `+operation_id`: walk the ids (SQLite would otherwise pick the (operation_id, country) index and sort the whole operation each time)
    .where(sql<number>`+operation_id`, '=', operationId)
    .where('deconflicted_at', 'is', null)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => targetNumbers(r as OperationTargetRow));
}

export async function markDeconflicted(db: Executor, id: number, overlaps: string, held: boolean): Promise<void> {
  await db
    .updateTable('operation_targets')
    .set({ deconflicted_at: now(), met_cases: overlaps, held: held ? 1 : 0 })
    .where('id', '=', id)
    .execute();
}

export async function releaseTarget(db: Executor, id: number, r: { reason: string; by: string }): Promise<void> {
  await db.updateTable('operation_targets').set({ held: 0, release_reason: r.reason, released_by: r.by, released_at: now() }).where('id', '=', id).execute();
}

/** Per effective country: targets, how many by confidence, how many overridden, how many with matched content. */
export async function targetsByCountry(db: Executor, operationId: number) {
  const rows = await db
    .selectFrom('operation_targets')
    .select((eb) => [
      effectiveCountry.as('country'),
      'confidence',
      eb.fn.countAll().as('n'),
      eb.fn.count('override_country').as('overridden'),
      eb.fn.sum(eb.case().when('matched', '!=', '[]').then(1).else(0).end()).as('matched'),
      eb.fn.sum('held').as('held'),
      eb.fn.count('deconflicted_at').as('deconflicted'),
    ])
    .where('operation_id', '=', operationId)
    .groupBy([effectiveCountry, 'confidence'])
    .execute();
  return rows.map((r) => ({
    country: r.country as string | null,
    confidence: r.confidence,
    n: Number(r.n),
    overridden: Number(r.overridden),
    matched: Number(r.matched ?? 0),
    held: Number(r.held ?? 0),
    deconflicted: Number(r.deconflicted),
  }));
}
