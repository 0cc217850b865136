/** Peers, publications, subscriptions and opinions. */
import { sql } from 'kysely';
import { AllianceError } from '../errors/catalogue.js';
import type { Executor } from './util.js';
import { isUniqueViolation, now } from './util.js';
import { redactServerPaths } from '../errors/redact.js';
import { unknownName } from '../errors/suggest.js';

export interface PeerRow {
  id: number;
  member_id: number;
  name: string;
  country: string | null;
  kind: string;
  url: string;
  public_key: string;
  created_at: number;
  last_seen_at: number | null;
}

const peerColumns = [
  'peers.id',
  'peers.member_id',
  'members.name',
  'members.country',
  'members.kind',
  'peers.url',
  'peers.public_key',
  'peers.created_at',
  'peers.last_seen_at',
] as const;

export async function insertPeer(db: Executor, p: { member_id: number; url: string; public_key: string }): Promise<number> {
  try {
    const r = await db
      .insertInto('peers')
      .values({ ...p, created_at: now(), last_seen_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('PEER_EXISTS', 'that member or public key is already a peer');
    throw err;
  }
}

export function findPeer(db: Executor, name: string): Promise<PeerRow | undefined> {
  return db.selectFrom('peers').innerJoin('members', 'members.id', 'peers.member_id').select(peerColumns).where('members.name', '=', name).executeTakeFirst();
}

export function findPeerById(db: Executor, id: number): Promise<PeerRow | undefined> {
  return db.selectFrom('peers').innerJoin('members', 'members.id', 'peers.member_id').select(peerColumns).where('peers.id', '=', id).executeTakeFirst();
}

/** PEER_NOT_FOUND naming the nearest registered peer. */
export async function unknownPeer(db: Executor, name: string): Promise<AllianceError> {
  const names = (await listPeers(db)).map((p) => p.name);
  return new AllianceError('PEER_NOT_FOUND', `${unknownName('peer', name, names)} (add it with alliance peer add)`);
}

export function listPeers(db: Executor): Promise<PeerRow[]> {
  return db.selectFrom('peers').innerJoin('members', 'members.id', 'peers.member_id').select(peerColumns).orderBy('members.name').execute();
}

export async function deletePeer(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('peers').where('id', '=', id).execute();
}

/** Changes a peer's URL or key (PEER_EXISTS when the key is another peer's). */
export async function updatePeer(db: Executor, id: number, fields: { url?: string; public_key?: string }): Promise<void> {
  try {
    await db.updateTable('peers').set(fields).where('id', '=', id).execute();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('PEER_EXISTS', 'that public key is registered for another peer');
    throw err;
  }
}

export interface MemberKeyRow {
  id: number;
  member: string;
  public_key: string;
  valid_from: number;
  valid_to: number | null;
}

/** Makes `publicKey` the member's current key from `at`: the open row, if another key, is closed at `at`. */
export async function recordMemberKey(db: Executor, member: string, publicKey: string, at = now()): Promise<MemberKeyRow> {
  const open = await currentMemberKey(db, member);
  if (open && open.public_key === publicKey) return open;
  await closeMemberKeys(db, member, at);
  return normaliseKey(
    await db.insertInto('member_keys').values({ member, public_key: publicKey, valid_from: at, valid_to: null }).returningAll().executeTakeFirstOrThrow(),
  );
}

/** Ends the validity of the member's current key (the peer was removed, or its key replaced). */
export async function closeMemberKeys(db: Executor, member: string, at = now()): Promise<void> {
  await db.updateTable('member_keys').set({ valid_to: at }).where('member', '=', member).where('valid_to', 'is', null).execute();
}

export async function currentMemberKey(db: Executor, member: string): Promise<MemberKeyRow | undefined> {
  const r = await db.selectFrom('member_keys').selectAll().where('member', '=', member).where('valid_to', 'is', null).orderBy('id', 'desc').executeTakeFirst();
  return r && normaliseKey(r);
}

/** Every key of a member (or of every member), oldest first. */
export async function memberKeys(db: Executor, member?: string): Promise<MemberKeyRow[]> {
  let q = db.selectFrom('member_keys').selectAll().orderBy('member').orderBy('valid_from').orderBy('id');
  if (member !== undefined) q = q.where('member', '=', member);
  return (await q.execute()).map(normaliseKey);
}

function normaliseKey(r: MemberKeyRow): MemberKeyRow {
  return { ...r, valid_from: Number(r.valid_from), valid_to: r.valid_to === null ? null : Number(r.valid_to) };
}

export async function touchPeer(db: Executor, id: number): Promise<void> {
  await db.updateTable('peers').set({ last_seen_at: now() }).where('id', '=', id).execute();
}

export async function upsertPublication(db: Executor, bankId: number, agreement: string): Promise<void> {
  const t = now();
  const updated = await db.updateTable('publications').set({ agreement, updated_at: t }).where('bank_id', '=', bankId).executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0) await db.insertInto('publications').values({ bank_id: bankId, agreement, created_at: t, updated_at: t }).execute();
}

export function findPublication(db: Executor, bankId: number) {
  return db.selectFrom('publications').selectAll().where('bank_id', '=', bankId).executeTakeFirst();
}

export function listPublications(db: Executor) {
  return db
    .selectFrom('publications')
    .innerJoin('banks', 'banks.id', 'publications.bank_id')
    .select(['banks.name', 'publications.bank_id', 'publications.agreement', 'publications.updated_at'])
    .orderBy('banks.name')
    .execute();
}

export async function deletePublication(db: Executor, bankId: number): Promise<boolean> {
  const r = await db.deleteFrom('publications').where('bank_id', '=', bankId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function insertSubscription(db: Executor, s: { peer_id: number; remote_bank: string; bank_id: number }): Promise<number> {
  try {
    const r = await db
      .insertInto('subscriptions')
      .values({
        ...s,
        checkpoint: 0,
        latest: null,
        last_attempt_at: null,
        last_success_at: null,
        last_error: null,
        last_error_at: null,
        items_received: 0,
        created_at: now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('SUBSCRIPTION_EXISTS', `already subscribed to ${s.remote_bank} of that peer`);
    throw err;
  }
}

const subscriptionColumns = [
  'subscriptions.id',
  'subscriptions.peer_id',
  'members.name as peer',
  'subscriptions.remote_bank',
  'subscriptions.bank_id',
  'banks.name as bank',
  'subscriptions.checkpoint',
  'subscriptions.latest',
  'subscriptions.last_attempt_at',
  'subscriptions.last_success_at',
  'subscriptions.last_error',
  'subscriptions.last_error_at',
  'subscriptions.last_error_code',
  'subscriptions.items_received',
  'subscriptions.paused',
] as const;

function subscriptionQuery(db: Executor) {
  return db
    .selectFrom('subscriptions')
    .innerJoin('peers', 'peers.id', 'subscriptions.peer_id')
    .innerJoin('members', 'members.id', 'peers.member_id')
    .innerJoin('banks', 'banks.id', 'subscriptions.bank_id')
    .select(subscriptionColumns);
}

export type SubscriptionRow = Awaited<ReturnType<typeof listSubscriptions>>[number];

export function listSubscriptions(db: Executor, peerName?: string) {
  let q = subscriptionQuery(db).orderBy('subscriptions.id');
  if (peerName) q = q.where('members.name', '=', peerName);
  return q.execute();
}

export function findSubscription(db: Executor, id: number) {
  return subscriptionQuery(db).where('subscriptions.id', '=', id).executeTakeFirst();
}

/** Pauses or resumes a subscription; false when there is no such subscription. */
export async function setSubscriptionPaused(db: Executor, id: number, paused: boolean): Promise<boolean> {
  const r = await db
    .updateTable('subscriptions')
    .set({ paused: paused ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function markAttempt(db: Executor, id: number): Promise<void> {
  await db.updateTable('subscriptions').set({ last_attempt_at: now() }).where('id', '=', id).execute();
}

export async function markSuccess(db: Executor, id: number, latest: number): Promise<void> {
  await db.updateTable('subscriptions').set({ last_success_at: now(), latest, last_error: null, last_error_code: null }).where('id', '=', id).execute();
}

export async function markError(db: Executor, id: number, error: string, code: string | null = null): Promise<void> {
  await db
    .updateTable('subscriptions')
    .set({ last_error: redactServerPaths(error).slice(0, 2000), last_error_at: now(), last_error_code: code })
    .where('id', '=', id)
    .execute();
}

/** Moves the checkpoint — inside the transaction that applied the page. */
/**
 * Moves a subscription's checkpoint from `from` to `to` — only if it is still at `from`, so two
 * processes syncing the same subscription can never apply a page twice or move it backwards.
 */
export async function advanceCheckpoint(db: Executor, id: number, from: number, to: number, received: number): Promise<void> {
  const r = await db
    .updateTable('subscriptions')
    .set({ checkpoint: to, items_received: sql`items_received + ${received}` })
    .where('id', '=', id)
    .where('checkpoint', '=', from)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1)
    throw new AllianceError(
      'FEED_INVALID',
      `subscription ${id} moved past position ${from} while this page was applied (another sync ran at the same time); nothing of the page was kept`,
    );
}

export async function upsertOpinion(db: Executor, o: { content_id: number; member_id: number; opinion: string; reason: string | null }): Promise<void> {
  const t = now();
  const updated = await db
    .updateTable('opinions')
    .set({ opinion: o.opinion as 'confirmed', reason: o.reason, at: t })
    .where('content_id', '=', o.content_id)
    .where('member_id', '=', o.member_id)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 0)
    await db
      .insertInto('opinions')
      .values({ ...o, opinion: o.opinion as 'confirmed', at: t })
      .execute();
}

export async function opinionCounts(db: Executor, contentIds: number[]): Promise<Map<number, Record<string, number>>> {
  const out = new Map<number, Record<string, number>>();
  if (contentIds.length === 0) return out;
  const rows = await db
    .selectFrom('opinions')
    .select(['content_id', 'opinion', (eb) => eb.fn.countAll<number>().as('n')])
    .where('content_id', 'in', contentIds)
    .groupBy(['content_id', 'opinion'])
    .execute();
  for (const r of rows) {
    const e = out.get(r.content_id) ?? {};
    e[r.opinion] = Number(r.n);
    out.set(r.content_id, e);
  }
  return out;
}
