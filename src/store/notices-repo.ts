/** Hosting providers, takedown notices and each notice's event history. */
import { AllianceError } from '../errors/catalogue.js';
import type { HostingProvider, Notice, NoticesTable } from './actions-schema.js';
import type { Insertable, Updateable } from 'kysely';
import { isUniqueViolation, now, parseJson, type Executor } from './util.js';
import { unknownName } from '../errors/suggest.js';

export async function insertProvider(
  db: Executor,
  p: { name: string; domains: string[]; abuse_url: string | null; abuse_email: string | null; country: string | null },
): Promise<HostingProvider> {
  try {
    return await db
      .insertInto('hosting_providers')
      .values({ ...p, domains: JSON.stringify(p.domains), created_at: now() })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AllianceError('RULE_EXISTS', `a hosting provider named "${p.name}" exists already`);
    throw err;
  }
}

export function listProviders(db: Executor): Promise<HostingProvider[]> {
  return db.selectFrom('hosting_providers').selectAll().orderBy('name').execute();
}

export async function deleteProvider(db: Executor, name: string): Promise<void> {
  const r = await db.deleteFrom('hosting_providers').where('name', '=', name).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) {
    const names = (await db.selectFrom('hosting_providers').select('name').execute()).map((p) => p.name);
    throw new AllianceError('NOTICE_NOT_FOUND', unknownName('hosting provider', name, names));
  }
}

/** The provider whose domains cover `host` (the most specific one). */
export async function providerForHost(db: Executor, host: string): Promise<HostingProvider | undefined> {
  let best: { p: HostingProvider; len: number } | undefined;
  for (const p of await listProviders(db)) {
    for (const d of parseJson<string[]>(p.domains, [])) {
      if ((host === d || host.endsWith(`.${d}`)) && (!best || d.length > best.len)) best = { p, len: d.length };
    }
  }
  return best?.p;
}

export async function insertNotice(db: Executor, n: Insertable<NoticesTable>): Promise<Notice> {
  return db.insertInto('notices').values(n).returningAll().executeTakeFirstOrThrow();
}

export async function getNotice(db: Executor, id: number): Promise<Notice> {
  const n = await db.selectFrom('notices').selectAll().where('id', '=', id).executeTakeFirst();
  if (!n) throw new AllianceError('NOTICE_NOT_FOUND', `no notice ${id}`);
  return n;
}

export async function updateNotice(db: Executor, id: number, fields: Updateable<NoticesTable>): Promise<void> {
  await db.updateTable('notices').set(fields).where('id', '=', id).execute();
}

export function listNotices(db: Executor, status: string | undefined, limit: number, offset: number): Promise<Array<Notice & { provider: string | null }>> {
  let q = db.selectFrom('notices as n').leftJoin('hosting_providers as p', 'p.id', 'n.provider_id').selectAll('n').select('p.name as provider');
  if (status) q = q.where('n.status', '=', status);
  return q.orderBy('n.id', 'desc').limit(limit).offset(offset).execute();
}

/**
 * Claims open notices due by `dueBy`, pushing their next action past `leaseMs` so that a slow
 * send is not started twice; each claim is a conditional update.
 */
export async function claimDueNotices(db: Executor, limit: number, leaseMs: number, dueBy = now()): Promise<Notice[]> {
  const t = now();
  const due = await db
    .selectFrom('notices')
    .select(['id', 'next_action_at'])
    .where('status', '=', 'open')
    .where('next_action_at', '<=', dueBy)
    .orderBy('next_action_at')
    .limit(limit)
    .execute();
  const out: Notice[] = [];
  for (const d of due) {
    const r = await db
      .updateTable('notices')
      .set({ next_action_at: t + leaseMs })
      .where('id', '=', d.id)
      .where('status', '=', 'open')
      .where('next_action_at', '=', d.next_action_at)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 1) out.push(await getNotice(db, d.id));
  }
  return out;
}

export async function addNoticeEvent(db: Executor, noticeId: number, kind: string, detail: string | null, at = now()): Promise<void> {
  await db
    .insertInto('notice_events')
    .values({ notice_id: noticeId, at, kind, detail: detail?.slice(0, 2000) ?? null })
    .execute();
}

export function noticeEvents(db: Executor, noticeId: number): Promise<Array<{ at: number; kind: string; detail: string | null }>> {
  return db.selectFrom('notice_events').select(['at', 'kind', 'detail']).where('notice_id', '=', noticeId).orderBy('id').execute();
}

/** Every notice that was sent at least once, for the hosts' statistics. */
export function sentNotices(
  db: Executor,
): Promise<Array<{ provider: string | null; host: string; status: string; first_sent_at: number | null; closed_at: number | null; sends: number }>> {
  return db
    .selectFrom('notices as n')
    .leftJoin('hosting_providers as p', 'p.id', 'n.provider_id')
    .select(['p.name as provider', 'n.host', 'n.status', 'n.first_sent_at', 'n.closed_at', 'n.sends'])
    .where('n.first_sent_at', 'is not', null)
    .execute();
}

export function getProvider(db: Executor, id: number): Promise<HostingProvider | undefined> {
  return db.selectFrom('hosting_providers').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function providerName(db: Executor, id: number): Promise<string | null> {
  return (await db.selectFrom('hosting_providers').select('name').where('id', '=', id).executeTakeFirst())?.name ?? null;
}

/** The notice sent for a review, if any. */
export function noticeOfReview(db: Executor, reviewId: number): Promise<{ id: number } | undefined> {
  return db.selectFrom('notices').select('id').where('review_id', '=', reviewId).executeTakeFirst();
}

/** Notices created in [from, to) (the action metrics' input). */
export function noticesCreated(db: Executor, from: number, to: number) {
  return db
    .selectFrom('notices')
    .select(['status', 'review_id', 'submission_id', 'first_sent_at', 'closed_at'])
    .where('created_at', '>=', from)
    .where('created_at', '<', to)
    .execute();
}
