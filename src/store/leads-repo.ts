/** Lead packages, the inbox of received ones, and the status updates between them (src/operations/leads.ts). */
import { sql } from 'kysely';
import { redactServerPaths } from '../errors/redact.js';
import type { LeadInboxTable, LeadPackagesTable, LeadUpdatesTable, OperationTargetsTable } from './schema.js';
import { now, type Executor } from './util.js';

export type LeadPackageRow = Omit<LeadPackagesTable, 'id'> & { id: number };
/** A lead package without its signed payload (listing packages reads no payload: each is up to ~400 KB of targets). */
export type LeadPackageSummary = Omit<LeadPackageRow, 'payload' | 'signature'>;

/** The columns of a package's summary: every one but the payload and its signature. */
const SUMMARY = [
  'id',
  'uid',
  'operation_id',
  'country',
  'prior_uid',
  'peer',
  'state',
  'handling',
  'targets',
  'attempts',
  'last_error',
  'receipt',
  'created_by',
  'created_at',
  'queued_at',
  'delivered_at',
  'forwarded_from',
] as const satisfies ReadonlyArray<keyof LeadPackageSummary>;
export type LeadInboxRow = Omit<LeadInboxTable, 'id'> & { id: number };
export type LeadUpdateRow = Omit<LeadUpdatesTable, 'id'> & { id: number };

const n = (v: number | null) => (v === null ? null : Number(v));
const packageNumbers = <R extends LeadPackageSummary>(r: R): R => ({
  ...r,
  id: Number(r.id),
  operation_id: n(r.operation_id),
  targets: Number(r.targets),
  attempts: Number(r.attempts),
  created_at: Number(r.created_at),
  queued_at: n(r.queued_at),
  delivered_at: n(r.delivered_at),
});
const inboxNumbers = (r: LeadInboxRow): LeadInboxRow => ({
  ...r,
  id: Number(r.id),
  targets: Number(r.targets),
  next_seq: Number(r.next_seq),
  received_at: Number(r.received_at),
  updated_at: Number(r.updated_at),
});
const updateNumbers = (r: LeadUpdateRow): LeadUpdateRow => ({
  ...r,
  id: Number(r.id),
  seq: Number(r.seq),
  count: n(r.count),
  at: Number(r.at),
  created_at: Number(r.created_at),
  delivered_at: n(r.delivered_at),
});

/**
 * A page of an operation's targets referred to `country` that may be packaged (checked against
 * deconfliction and not held): up to `limit` in id order after `afterId` — a build walks them a
 * page at a time (the caller passes the last id it saw), never holding a country's targets whole.
 */
export async function packageableTargets(db: Executor, operationId: number, country: string, afterId: number, limit: number): Promise<PackageableTarget[]> {
  const rows = await db
    .selectFrom('operation_targets')
    .select(['id', 'ref', 'identifiers', 'confidence', 'reasons', 'override_country', 'matched'])
    .where('id', '>', afterId)
    // `+operation_id`: walk the ids (SQLite would otherwise pick the (operation_id, country) index and sort the whole operation for each page)
    .where(sql<number>`+operation_id`, '=', operationId)
    .where(sql<string>`coalesce(override_country, country)`, '=', country)
    .where('deconflicted_at', 'is not', null)
    .where('held', '=', 0)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

/** What a package carries of a target (src/operations/leads.ts packageTarget). */
export type PackageableTarget = Pick<OperationTargetsTable, 'ref' | 'identifiers' | 'confidence' | 'reasons' | 'override_country' | 'matched'> & {
  id: number;
};

/** How many of an operation's targets for `country` are left out of a package: not checked yet, or held. */
export async function unpackagedCounts(db: Executor, operationId: number, country: string): Promise<{ unchecked: number; held: number }> {
  const r = await db
    .selectFrom('operation_targets')
    .select((eb) => [eb.fn.sum(eb.case().when('deconflicted_at', 'is', null).then(1).else(0).end()).as('unchecked'), eb.fn.sum('held').as('held')])
    .where('operation_id', '=', operationId)
    .where(sql<string>`coalesce(override_country, country)`, '=', country)
    .executeTakeFirst();
  return { unchecked: Number(r?.unchecked ?? 0), held: Number(r?.held ?? 0) };
}

/** What the packages of an operation to a country said so far about each of `refs` (the latest digest per ref; a ref in none is absent). */
export async function packagedDigests(db: Executor, operationId: number, country: string, refs: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < refs.length; i += 500) {
    const rows = await db
      .selectFrom('lead_package_targets as t')
      .innerJoin('lead_packages as p', 'p.id', 't.package_id')
      .select(['t.ref', 't.digest'])
      .where('t.ref', 'in', refs.slice(i, i + 500))
      .where('p.operation_id', '=', operationId)
      .where('p.country', '=', country)
      .orderBy('p.id')
      .execute();
    for (const r of rows) out.set(r.ref, r.digest);
  }
  return out;
}

export async function insertLeadPackage(
  db: Executor,
  p: Omit<LeadPackagesTable, 'id' | 'uid' | 'attempts' | 'last_error' | 'receipt' | 'delivered_at' | 'payload' | 'signature'>,
  targets: Array<{ ref: string; digest: string }>,
  uidOf: (id: number) => string,
  seal: (uid: string) => { payload: string; signature: string },
): Promise<LeadPackageSummary> {
  const r = await db
    .insertInto('lead_packages')
    .values({ ...p, uid: `pending-${p.operation_id}-${p.country}-${now()}`, payload: '', signature: '', attempts: 0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(r.id);
  const uid = uidOf(id);
  const sealed = seal(uid);
  await db.updateTable('lead_packages').set({ uid, payload: sealed.payload, signature: sealed.signature }).where('id', '=', id).execute();
  for (let i = 0; i < targets.length; i += 500)
    await db
      .insertInto('lead_package_targets')
      .values(targets.slice(i, i + 500).map((t) => ({ package_id: id, ref: t.ref, digest: t.digest })))
      .execute();
  return (await findLeadPackageSummary(db, id))!;
}

export async function findLeadPackage(db: Executor, id: number): Promise<LeadPackageRow | undefined> {
  const r = await db.selectFrom('lead_packages').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? packageNumbers(r as LeadPackageRow) : undefined;
}

/** A package without its payload. */
export async function findLeadPackageSummary(db: Executor, id: number): Promise<LeadPackageSummary | undefined> {
  const r = await db.selectFrom('lead_packages').select(SUMMARY).where('id', '=', id).executeTakeFirst();
  return r ? packageNumbers(r as LeadPackageSummary) : undefined;
}

/** A package by its uid, without its payload. */
export async function findLeadPackageByUid(db: Executor, uid: string): Promise<LeadPackageSummary | undefined> {
  const r = await db.selectFrom('lead_packages').select(SUMMARY).where('uid', '=', uid).executeTakeFirst();
  return r ? packageNumbers(r as LeadPackageSummary) : undefined;
}

/** An operation's packages in the order they were built, without their payloads. */
export async function listLeadPackages(db: Executor, operationId: number): Promise<LeadPackageSummary[]> {
  const rows = await db.selectFrom('lead_packages').select(SUMMARY).where('operation_id', '=', operationId).orderBy('id').execute();
  return rows.map((r) => packageNumbers(r as LeadPackageSummary));
}

/** An operation's latest package to `country` (the one a supplement names), without its payload. */
export async function latestLeadPackage(db: Executor, operationId: number, country: string): Promise<LeadPackageSummary | undefined> {
  const r = await db
    .selectFrom('lead_packages')
    .select(SUMMARY)
    .where('operation_id', '=', operationId)
    .where('country', '=', country)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r ? packageNumbers(r as LeadPackageSummary) : undefined;
}

/** Locks a package's row until the transaction ends (a no-op update: a row lock on PostgreSQL, the write lock on SQLite). */
export async function lockLeadPackage(db: Executor, id: number): Promise<void> {
  await db
    .updateTable('lead_packages')
    .set((eb) => ({ id: eb.ref('id') }))
    .where('id', '=', id)
    .execute();
}

export async function leadPackageHasTarget(db: Executor, packageId: number, ref: string): Promise<boolean> {
  return (
    (await db.selectFrom('lead_package_targets').select('ref').where('package_id', '=', packageId).where('ref', '=', ref).executeTakeFirst()) !== undefined
  );
}

export async function setLeadPackageState(
  db: Executor,
  id: number,
  s: Partial<Pick<LeadPackagesTable, 'state' | 'peer' | 'queued_at' | 'receipt' | 'delivered_at'>>,
): Promise<void> {
  await db.updateTable('lead_packages').set(s).where('id', '=', id).execute();
}

/** Records a delivery attempt: its error (null: delivered, with the receiver's receipt). */
export async function recordLeadDelivery(db: Executor, id: number, error: string | null, receipt?: unknown): Promise<void> {
  await db
    .updateTable('lead_packages')
    .set(
      error === null
        ? { state: 'delivered', delivered_at: now(), last_error: null, receipt: JSON.stringify(receipt ?? null), attempts: sql`attempts + 1` }
        : { last_error: redactServerPaths(error).slice(0, 1000), attempts: sql`attempts + 1` },
    )
    .where('id', '=', id)
    .execute();
}

// ---- the receiving side -----------------------------------------------------------------------

/**
 * Stores a received package once (a retried delivery finds it there: created false). The insert
 * itself decides (on conflict with the uid, nothing): two copies arriving at once store one, and
 * the other — on PostgreSQL waiting for the first to commit — answers created false.
 */
export async function insertInboxPackage(db: Executor, p: Omit<LeadInboxTable, 'id' | 'next_seq'>): Promise<{ row: LeadInboxRow; created: boolean }> {
  const r = await db
    .insertInto('lead_inbox')
    .values({ ...p, next_seq: 1 })
    .onConflict((oc) => oc.column('uid').doNothing())
    .executeTakeFirst();
  const created = Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  const row = await db.selectFrom('lead_inbox').selectAll().where('uid', '=', p.uid).executeTakeFirstOrThrow();
  return { row: inboxNumbers(row as LeadInboxRow), created };
}

export async function findInboxPackage(db: Executor, id: number): Promise<LeadInboxRow | undefined> {
  const r = await db.selectFrom('lead_inbox').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? inboxNumbers(r as LeadInboxRow) : undefined;
}

export async function findInboxPackageByUid(db: Executor, uid: string): Promise<LeadInboxRow | undefined> {
  const r = await db.selectFrom('lead_inbox').selectAll().where('uid', '=', uid).executeTakeFirst();
  return r ? inboxNumbers(r as LeadInboxRow) : undefined;
}

/** The packages forwarded (re-referred) from received ones, in the order they were built. */
export async function forwardedPackages(db: Executor, inboxUids: string[]): Promise<LeadPackageSummary[]> {
  if (inboxUids.length === 0) return [];
  const rows = await db.selectFrom('lead_packages').select(SUMMARY).where('forwarded_from', 'in', inboxUids).orderBy('id').execute();
  return rows.map((r) => packageNumbers(r as LeadPackageSummary));
}

/** The refs a package carries. */
export async function leadPackageRefs(db: Executor, packageId: number): Promise<string[]> {
  const rows = await db.selectFrom('lead_package_targets').select('ref').where('package_id', '=', packageId).orderBy('ref').execute();
  return rows.map((r) => r.ref);
}

export async function listInbox(db: Executor): Promise<LeadInboxRow[]> {
  const rows = await db.selectFrom('lead_inbox').selectAll().orderBy('id', 'desc').execute();
  return rows.map((r) => inboxNumbers(r as LeadInboxRow));
}

/** Changes an inbox package's state and takes the next status update's sequence number. */
export async function advanceInbox(db: Executor, id: number, s: Partial<Pick<LeadInboxTable, 'state' | 'reason' | 'assignee'>>): Promise<number> {
  const row = (await findInboxPackage(db, id))!;
  await db
    .updateTable('lead_inbox')
    .set({ ...s, next_seq: row.next_seq + 1, updated_at: now() })
    .where('id', '=', id)
    .where('next_seq', '=', row.next_seq)
    .execute();
  return row.next_seq;
}

export async function insertLeadUpdate(db: Executor, u: Omit<LeadUpdatesTable, 'id'>): Promise<LeadUpdateRow> {
  const r = await db.insertInto('lead_updates').values(u).returning('id').executeTakeFirstOrThrow();
  return (await findLeadUpdate(db, Number(r.id)))!;
}

export async function findLeadUpdate(db: Executor, id: number): Promise<LeadUpdateRow | undefined> {
  const r = await db.selectFrom('lead_updates').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? updateNumbers(r as LeadUpdateRow) : undefined;
}

export async function findLeadUpdateBySeq(db: Executor, direction: 'in' | 'out', packageUid: string, seq: number): Promise<LeadUpdateRow | undefined> {
  const r = await db
    .selectFrom('lead_updates')
    .selectAll()
    .where('direction', '=', direction)
    .where('package_uid', '=', packageUid)
    .where('seq', '=', seq)
    .executeTakeFirst();
  return r ? updateNumbers(r as LeadUpdateRow) : undefined;
}

export async function listLeadUpdates(db: Executor, direction: 'in' | 'out', packageUids: string[]): Promise<LeadUpdateRow[]> {
  if (packageUids.length === 0) return [];
  const rows = await db
    .selectFrom('lead_updates')
    .selectAll()
    .where('direction', '=', direction)
    .where('package_uid', 'in', packageUids)
    .orderBy('package_uid')
    .orderBy('seq')
    .execute();
  return rows.map((r) => updateNumbers(r as LeadUpdateRow));
}

export async function recordLeadUpdateDelivery(db: Executor, id: number, error: string | null): Promise<void> {
  await db
    .updateTable('lead_updates')
    .set(error === null ? { state: 'delivered', delivered_at: now(), last_error: null } : { last_error: redactServerPaths(error).slice(0, 1000) })
    .where('id', '=', id)
    .execute();
}

// ---- an operation's picture (src/operations/picture.ts) -------------------------------------------

/** An operation's sent packages (queued or delivered) — their country, receiver and when each went — and the refs each carries. */
export async function referredTargets(
  db: Executor,
  operationId: number,
): Promise<{
  packages: Array<{ id: number; uid: string; country: string; peer: string | null; sent_at: number }>;
  targets: Array<{ package_id: number; ref: string }>;
}> {
  const rows = await db
    .selectFrom('lead_packages')
    .select(['id', 'uid', 'country', 'peer', 'delivered_at', 'queued_at'])
    .where('operation_id', '=', operationId)
    .where('state', 'in', ['queued', 'delivered'])
    .orderBy('id')
    .execute();
  const packages = rows.map((r) => ({ id: Number(r.id), uid: r.uid, country: r.country, peer: r.peer, sent_at: Number(r.delivered_at ?? r.queued_at ?? 0) }));
  const targets: Array<{ package_id: number; ref: string }> = [];
  for (let i = 0; i < packages.length; i += 500) {
    const ids = packages.slice(i, i + 500).map((p) => p.id);
    for (const t of await db.selectFrom('lead_package_targets').select(['package_id', 'ref']).where('package_id', 'in', ids).execute())
      targets.push({ package_id: Number(t.package_id), ref: t.ref });
  }
  return { packages, targets };
}

/** The status updates received on an operation's packages (verified when they came), in the order they came per package. */
export async function operationUpdates(
  db: Executor,
  operationId: number,
): Promise<
  Array<{
    package_uid: string;
    seq: number;
    type: string;
    target_ref: string | null;
    outcome: string | null;
    count: number | null;
    at: number;
    created_at: number;
  }>
> {
  const rows = await db
    .selectFrom('lead_updates as u')
    .innerJoin('lead_packages as p', 'p.uid', 'u.package_uid')
    .select(['u.package_uid', 'u.seq', 'u.type', 'u.target_ref', 'u.outcome', 'u.count', 'u.at', 'u.created_at'])
    .where('p.operation_id', '=', operationId)
    .where('u.direction', '=', 'in')
    .orderBy('u.package_uid')
    .orderBy('u.seq')
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), count: n(r.count), at: Number(r.at), created_at: Number(r.created_at) }));
}
