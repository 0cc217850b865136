/**
 * What the indicators are computed from, for a period [from, to) (epoch ms; day columns compare
 * with the days of from and to). Counts and the few rows the figures need; the arithmetic is the
 * reporting module's.
 */
import { sql } from 'kysely';
import { dayOf as day } from './day.js';
import { MATCH_ACTIONS_SQL } from './migrations/0011-reporting.js';
import type { Executor } from './util.js';

export interface Span {
  from: number;
  to: number;
}

async function count(q: { executeTakeFirst(): Promise<{ n: unknown } | undefined> }): Promise<number> {
  return Number((await q.executeTakeFirst())?.n ?? 0);
}

/** Victims identified by `self` on its own series in the period, with when their series was first seen or opened. */
export function ownIdentifiedVictims(db: Executor, p: Span, self: string) {
  return db
    .selectFrom('victims as v')
    .innerJoin('series as s', 's.id', 'v.series_id')
    .select(['v.identified_on', 's.first_seen_at', 's.opened_at'])
    .where('s.received_from', 'is', null)
    .where('v.identified_by', '=', self)
    .where('v.identified_on', '>=', day(p.from))
    .where('v.identified_on', '<', day(p.to))
    .execute();
}

export const ownSeriesOpened = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('series')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('received_from', 'is', null)
      .where('opened_at', '>=', p.from)
      .where('opened_at', '<', p.to),
  );

/** Distinct victims identified in the period by anyone this node knows of. */
export const victimsIdentified = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('victims')
      .select((eb) => eb.fn.count('uid').distinct().as('n'))
      .where('identified_on', '>=', day(p.from))
      .where('identified_on', '<', day(p.to)),
  );

/** Distinct victims referred in the period. */
export const victimsReferred = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('referrals as r')
      .innerJoin('victims as v', 'v.id', 'r.victim_id')
      .select((eb) => eb.fn.count('r.victim_id').distinct().as('n'))
      .where('r.referred_on', '>=', day(p.from))
      .where('r.referred_on', '<', day(p.to)),
  );

/** Finished outgoing reports delivered in the period (sent means received). */
export function reportsDelivered(db: Executor, p: Span) {
  return db
    .selectFrom('incident_reports as r')
    .innerJoin('report_deliveries as d', 'd.report_id', 'r.id')
    .select(['r.kind', 'r.country'])
    .where('r.direction', '=', 'out')
    .where('r.status', '=', 'finished')
    .where('d.state', '=', 'delivered')
    .where('d.delivered_at', '>=', p.from)
    .where('d.delivered_at', '<', p.to)
    .execute();
}

/** Outgoing reports finished in the period and not (yet) delivered. */
export const reportsUndelivered = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('incident_reports as r')
      .leftJoin('report_deliveries as d', 'd.report_id', 'r.id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('r.direction', '=', 'out')
      .where('r.status', '=', 'finished')
      .where('r.finished_at', '>=', p.from)
      .where('r.finished_at', '<', p.to)
      .where((eb) => eb.or([eb('d.state', 'is', null), eb('d.state', '!=', 'delivered')])),
  );

export const reportsReceived = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('incident_reports')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('direction', '=', 'in')
      .where('created_at', '>=', p.from)
      .where('created_at', '<', p.to),
  );

/** Deconfliction alerts raised on own cases in the period. */
export const ownOverlaps = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('deconfliction_alerts as a')
      .innerJoin('cases as c', 'c.id', 'a.case_id')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('c.received_from', 'is', null)
      .where('a.created_at', '>=', p.from)
      .where('a.created_at', '<', p.to),
  );

export const ownCasesOpened = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('received_from', 'is', null)
      .where('created_at', '>=', p.from)
      .where('created_at', '<', p.to),
  );

/** Campaigns that started in the period. */
export function campaignsStarted(db: Executor, p: Span) {
  return db.selectFrom('campaigns').select(['audience', 'reach']).where('starts_on', '>=', day(p.from)).where('starts_on', '<', day(p.to)).execute();
}

/** Messages served in the period, per context. */
export function messagesServed(db: Executor, p: Span) {
  return db
    .selectFrom('message_counts')
    .select(['context', (eb) => eb.fn.sum<number>('count').as('n')])
    .where('day', '>=', day(p.from))
    .where('day', '<', day(p.to))
    .groupBy('context')
    .execute();
}

/** Notices first sent in the period. */
export function noticesSent(db: Executor, p: Span) {
  return db
    .selectFrom('notices')
    .select(['first_sent_at', 'closed_at', 'status', 'hosting_country'])
    .where('first_sent_at', '>=', p.from)
    .where('first_sent_at', '<', p.to)
    .execute();
}

/** Signals added in the period (by bank: an index-only count). */
const signalsAdded = (db: Executor, p: Span) =>
  db
    .selectFrom('signals')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('created_at', '>=', p.from)
    .where('created_at', '<', p.to);

/** Signals added in the period to banks this node publishes and does not receive or fetch. */
export const signalsContributed = (db: Executor, p: Span) =>
  count(
    signalsAdded(db, p)
      .where('bank_id', 'in', db.selectFrom('publications').select('bank_id'))
      .where('bank_id', 'not in', db.selectFrom('subscriptions').select('bank_id'))
      .where('bank_id', 'not in', db.selectFrom('exchanges').select('bank_id')),
  );

/** Signals received in the period (the banks subscriptions feed). */
export const signalsReceived = (db: Executor, p: Span) => count(signalsAdded(db, p).where('bank_id', 'in', db.selectFrom('subscriptions').select('bank_id')));

/** Signals added in the period to the banks external exchanges (NCMEC, ThreatExchange, …) fill. */
export const signalsFetched = (db: Executor, p: Span) => count(signalsAdded(db, p).where('bank_id', 'in', db.selectFrom('exchanges').select('bank_id')));

/** Lookups with a match in the period; the predicate is the partial index's own (migration 0011), so only matching rows are read. */
export async function matchesAudited(db: Executor, p: Span): Promise<number> {
  return Number(
    (
      await sql<{
        n: number;
      }>`select count(*) as n from audit_log where result_count > 0 and action in (${sql.raw(MATCH_ACTIONS_SQL)}) and at >= ${p.from} and at < ${p.to}`.execute(
        db,
      )
    ).rows[0]?.n ?? 0,
  );
}

/** Re-uploads blocked in the period. */
export const reuploadsBlocked = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('submissions')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('reupload_of', 'is not', null)
      .where('decision', '=', 'block')
      .where('received_at', '>=', p.from)
      .where('received_at', '<', p.to),
  );

/** Notices closed in the period because the content was removed or gone. */
export const removalsConfirmed = (db: Executor, p: Span) =>
  count(
    db
      .selectFrom('notices')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', 'in', ['removed', 'gone'])
      .where('closed_at', '>=', p.from)
      .where('closed_at', '<', p.to),
  );

export function peersSeen(db: Executor) {
  return db.selectFrom('peers').select(['id', 'last_seen_at']).execute();
}

export function subscriptionStates(db: Executor) {
  return db.selectFrom('subscriptions').select(['peer_id', 'checkpoint', 'latest', 'last_success_at', 'created_at']).execute();
}

/** Every manual figure (prosecutions, convictions), any period. */
export function manualFigures(db: Executor) {
  return db.selectFrom('manual_indicators').select(['kind', 'period', 'value', 'source']).execute();
}

// ---- target 2: lead packages (src/operations/leads.ts) --------------------------------------------

/**
 * Every target of the lead packages this node delivered before the period's end: the operation it
 * belongs to (null: a forwarded package, with the received package it forwards from), its country,
 * its package and when that was delivered.
 */
export async function leadReferrals(db: Executor, p: Span) {
  const rows = await db
    .selectFrom('lead_package_targets as t')
    .innerJoin('lead_packages as k', 'k.id', 't.package_id')
    .select(['t.ref', 'k.uid', 'k.operation_id', 'k.forwarded_from', 'k.country', 'k.delivered_at'])
    .where('k.state', '=', 'delivered')
    .where('k.delivered_at', '<', p.to)
    .execute();
  return rows.map((r) => ({
    ref: r.ref,
    package_uid: r.uid,
    operation_id: r.operation_id === null ? null : Number(r.operation_id),
    forwarded_from: r.forwarded_from,
    country: r.country,
    delivered_at: Number(r.delivered_at),
  }));
}

/** The status updates received on the packages this node sent (verified when they came). */
export async function leadUpdatesReceived(db: Executor) {
  const rows = await db
    .selectFrom('lead_updates')
    .select(['package_uid', 'seq', 'type', 'target_ref', 'outcome', 'count', 'at'])
    .where('direction', '=', 'in')
    .orderBy('package_uid')
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq), count: r.count === null ? null : Number(r.count), at: Number(r.at) }));
}

/** The lead packages received before the period's end: from whom, when, and the signed payload (its operation and targets). */
export async function leadPackagesReceived(db: Executor, p: Span) {
  const rows = await db.selectFrom('lead_inbox').select(['from_peer', 'payload', 'received_at']).where('received_at', '<', p.to).execute();
  return rows.map((r) => ({ from_peer: r.from_peer, payload: r.payload, received_at: Number(r.received_at) }));
}
