/**
 * The indicators of the four policy targets, computed from what happened on this node in a
 * period (docs/indicators.md lists every definition; `npm run docs:indicators` writes it from
 * INDICATORS below). Counts are SQL aggregates over indexed time columns — a year of platform
 * events (10 M matches) is counted without reading every row; durations (notices, victims) are
 * loaded and ranked here. Exchange health is a snapshot at computation time.
 */
import { type Executor, indicatorsRepo as facts, parseJson, type Store } from '../store/index.js';
import { parsePeriod, within, type Period } from './periods.js';

export type Target = 'victims' | 'offenders' | 'awareness' | 'availability' | 'exchange';
export type Unit = 'count' | 'days' | 'hours' | 'share';

export interface IndicatorDefinition {
  id: string;
  target: Target;
  label: string;
  unit: Unit;
  definition: string;
}

const d = (id: string, target: Target, unit: Unit, label: string, definition: string): IndicatorDefinition => ({ id, target, label, unit, definition });

export const INDICATORS: readonly IndicatorDefinition[] = [
  d('victims.series_opened', 'victims', 'count', 'Series opened', 'Series owned by this member whose opening date falls in the period.'),
  d(
    'victims.identified',
    'victims',
    'count',
    'Victims identified',
    'Victims recorded by this member (on its own series) with an identification date in the period.',
  ),
  d(
    'victims.identified_alliance',
    'victims',
    'count',
    'Victims identified (alliance)',
    'Distinct victims (by pseudonymous id) with an identification date in the period, on any series this node knows — its own and those its peers share. A victim counts once however many nodes hold it.',
  ),
  d(
    'victims.referred',
    'victims',
    'count',
    'Victims referred to support',
    'Distinct victims of this node with a referral to a support service dated in the period.',
  ),
  d(
    'victims.days_to_identification_median',
    'victims',
    'days',
    'Days from first sighting to identification (median)',
    "Over the victims counted in victims.identified: days from the series' first sighting (its opening when no sighting is recorded) to the identification date; the median.",
  ),
  d(
    'victims.days_to_identification_p90',
    'victims',
    'days',
    'Days from first sighting to identification (90th percentile)',
    'As above, the 90th percentile (nearest rank).',
  ),
  d('offenders.reports_received', 'offenders', 'count', 'Incident reports received', 'Incident reports received from members in the period.'),
  d(
    'offenders.reports_sent',
    'offenders',
    'count',
    'Incident reports sent',
    'Incident reports made here and delivered in the period to the receiving authority they were routed to (or to the fall-back contact); for the CyberTipline, when its report was finished there. A report kept here, or not yet delivered, is not sent.',
  ),
  d(
    'offenders.reports_referral',
    'offenders',
    'count',
    'Reports sent as referrals',
    'Of the reports sent, those delivered to an authority of the country they concern (referral).',
  ),
  d(
    'offenders.reports_informational',
    'offenders',
    'count',
    'Reports sent as informational',
    'Of the reports sent, those with no authority of the concerned country (informational: delivered to the fall-back contact).',
  ),
  d(
    'offenders.reports_routed_abroad',
    'offenders',
    'count',
    'Reports routed abroad',
    "Of the reports sent, those delivered for a jurisdiction other than this member's country.",
  ),
  d(
    'offenders.reports_undelivered',
    'offenders',
    'count',
    'Reports not delivered',
    'Incident reports finished in the period that no receiving authority has received: kept here for want of a registered authority and a fall-back contact, or still waiting for delivery.',
  ),
  d(
    'offenders.deconfliction_overlaps',
    'offenders',
    'count',
    'Deconfliction overlaps found',
    "Overlap alerts raised in the period on this node's cases (one per case, other case and kind of target).",
  ),
  d('offenders.cases_opened', 'offenders', 'count', 'Cases opened', 'Investigations opened on this node for deconfliction in the period.'),
  d(
    'offenders.prosecutions',
    'offenders',
    'count',
    'Prosecutions (manual entry)',
    'Entered by the authority with its source: the sum of the entries for periods within this one (none: no value).',
  ),
  d('offenders.convictions', 'offenders', 'count', 'Convictions (manual entry)', 'As prosecutions.'),
  d(
    'offenders.lead_referrals_sent',
    'offenders',
    'count',
    'Targets referred in lead packages',
    "Targets of joint operations (and targets forwarded on from received packages) in lead packages this node delivered to another country's authority, counted when first delivered: a target counts once per receiving country, a supplement that says more about it does not count it again.",
  ),
  d(
    'offenders.lead_referrals_received',
    'offenders',
    'count',
    'Targets received in lead packages',
    "Targets in lead packages other authorities' nodes delivered here, counted when first received (once per sending node, operation and target).",
  ),
  d(
    'offenders.lead_referrals_accepted',
    'offenders',
    'count',
    'Referred targets accepted',
    'Of the targets referred in the period, those in a package its receiver accepted (by the signed status updates at computation time).',
  ),
  d(
    'offenders.lead_referrals_declined',
    'offenders',
    'count',
    'Referred targets declined',
    'Of the targets referred in the period, those in a package its receiver declined (and in none it accepted).',
  ),
  d(
    'offenders.lead_acceptance_share',
    'offenders',
    'share',
    'Acceptance rate of referrals',
    'Referred targets accepted over those accepted or declined (the receivers that decided); no value while none has decided.',
  ),
  d(
    'offenders.lead_days_to_first_action_median',
    'offenders',
    'days',
    'Days from referral to first action (median)',
    "Over the targets referred in the period that have an outcome: days from the target's first delivery to the first outcome its receiver reported (any kind, at the time the receiver gave); the median (nearest rank); no value without one.",
  ),
  d(
    'offenders.lead_days_to_charge_median',
    'offenders',
    'days',
    'Days from referral to charge (median)',
    'As above, to the first "charged" outcome, over the targets referred in the period that were charged.',
  ),
  d(
    'offenders.lead_people_charged',
    'offenders',
    'count',
    'People charged through alliance referrals',
    "Targets of this node's operations reported charged by the authority they were referred to (or forwarded on to: relayed outcomes included), counted in the period of the first charge reported; a target counts once. Counted by the operation's node only, so the alliance's sum counts each once.",
  ),
  d(
    'offenders.lead_victims_safeguarded',
    'offenders',
    'count',
    'Victims safeguarded through alliance referrals',
    "People: per target of this node's operations, the victims-safeguarded count its receiver last reported by the period's end less the one it last reported before the period, summed (periods add up to the total; a repeated report does not count twice).",
  ),
  d('awareness.campaigns', 'awareness', 'count', 'Awareness campaigns', 'Campaigns recorded with a start date in the period.'),
  d('awareness.campaign_reach', 'awareness', 'count', 'People reached by campaigns', 'The reach the organisers reported for those campaigns, summed.'),
  d(
    'awareness.deterrence_messages',
    'awareness',
    'count',
    'Deterrence messages served',
    'Warning messages shown to people searching for abuse material (context "search"), counted by day without the query.',
  ),
  d(
    'awareness.safety_messages',
    'awareness',
    'count',
    'Safety and help messages served',
    'Messages of the other contexts (upload blocked, child safety, victim help).',
  ),
  d(
    'availability.signals_contributed',
    'availability',
    'count',
    'Signals contributed',
    'Signals added in the period to the banks this member publishes to peers (its own banks: not those its subscriptions or external exchanges fill).',
  ),
  d(
    'availability.signals_received',
    'availability',
    'count',
    'Signals received',
    "Signals added in the period to the banks this node's subscriptions fill from peers.",
  ),
  d(
    'availability.signals_fetched',
    'availability',
    'count',
    'Signals fetched from exchanges',
    'Signals added in the period to the banks external exchanges fill (NCMEC hash sharing, ThreatExchange, …; not Alliance peers).',
  ),
  d(
    'availability.matches',
    'availability',
    'count',
    'Matches',
    'Lookups, uploads and submissions in the period that matched at least one bank entry (a submission matched later by a new signal counts when it matches).',
  ),
  d(
    'availability.reuploads_blocked',
    'availability',
    'count',
    'Re-uploads blocked',
    'Submissions of content already confirmed, blocked on sight in the period.',
  ),
  d('availability.notices_sent', 'availability', 'count', 'Takedown notices sent', 'Notices first sent in the period.'),
  d(
    'availability.removals_confirmed',
    'availability',
    'count',
    'Removals confirmed',
    'Notices closed in the period because the host confirmed removal or a re-check found the content gone.',
  ),
  d(
    'availability.removal_hours_median',
    'availability',
    'hours',
    'Hours to removal (median)',
    'Over the notices first sent in the period: hours from the first notice to removal, a notice not (yet) removed counting as longer than any; no value while fewer than half are removed.',
  ),
  d(
    'availability.removal_hours_p90',
    'availability',
    'hours',
    'Hours to removal (90th percentile)',
    'As above, the 90th percentile (no value while fewer than 90 % are removed).',
  ),
  d(
    'availability.removed_within_24h_share',
    'availability',
    'share',
    'Share removed within 24 h',
    'Of the notices first sent in the period, the share removed within 24 hours of the first notice.',
  ),
  d('availability.removed_within_72h_share', 'availability', 'share', 'Share removed within 72 h', 'As above, within 72 hours.'),
  d('exchange.peers', 'exchange', 'count', 'Peers', 'Peers registered on this node (at computation time).'),
  d('exchange.peers_connected', 'exchange', 'count', 'Peers connected', 'Peers heard from, or synced from successfully, in the 24 hours before computation.'),
  d(
    'exchange.sync_lag_items',
    'exchange',
    'count',
    'Sync lag (items)',
    'Feed items the subscriptions have not applied yet, summed over subscriptions (at computation time).',
  ),
  d(
    'exchange.sync_lag_hours_max',
    'exchange',
    'hours',
    'Sync lag (hours, worst)',
    'Hours since the least recent successful sync of any subscription (since its creation if it never synced), at computation time; no value without subscriptions.',
  ),
];

export const INDICATOR_IDS = new Set(INDICATORS.map((i) => i.id));

export interface RemovalByCountry {
  /** ISO 3166-1 alpha-2 of where the content was hosted, or "unknown". */
  country: string;
  notices: number;
  removed: number;
  median_hours: number | null;
  p90_hours: number | null;
  within_24h_share: number | null;
  within_72h_share: number | null;
}

export interface Indicators {
  member: string;
  country: string | null;
  period: { key: string; from: string; to: string };
  computed_at: string;
  values: Record<string, number | null>;
  removal_by_hosting_country: RemovalByCountry[];
  campaigns_by_audience: Record<string, { campaigns: number; reach: number }>;
  messages_by_context: Record<string, number>;
  manual_entries: Array<{ kind: string; period: string; value: number; source: string }>;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The value at quantile q (nearest rank) of `sorted`, where `total - sorted.length` values are larger than any (not yet happened); null if that rank is not reached. */
export function censoredQuantile(sorted: readonly number[], total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  return rank <= sorted.length ? sorted[rank - 1] : null;
}

const round = (x: number | null, digits = 2) => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

/** Removal figures of a cohort of notices ([sent, closed or null]). */
function removal(rows: Array<{ sent: number; closed: number | null }>) {
  const times = rows
    .filter((r) => r.closed !== null)
    .map((r) => (r.closed! - r.sent) / HOUR)
    .sort((a, b) => a - b);
  const share = (h: number) => (rows.length ? round(times.filter((t) => t <= h).length / rows.length, 4) : null);
  return {
    notices: rows.length,
    removed: times.length,
    median_hours: round(censoredQuantile(times, rows.length, 0.5)),
    p90_hours: round(censoredQuantile(times, rows.length, 0.9)),
    within_24h_share: share(24),
    within_72h_share: share(72),
  };
}

async function victims(db: Executor, p: Period, self: string) {
  const own = await facts.ownIdentifiedVictims(db, p, self);
  const days = own.map((v) => Math.max(0, (Date.parse(`${v.identified_on}T00:00:00Z`) - Number(v.first_seen_at ?? v.opened_at)) / DAY)).sort((a, b) => a - b);
  return {
    'victims.series_opened': await facts.ownSeriesOpened(db, p),
    'victims.identified': own.length,
    'victims.identified_alliance': await facts.victimsIdentified(db, p),
    'victims.referred': await facts.victimsReferred(db, p),
    'victims.days_to_identification_median': round(censoredQuantile(days, days.length, 0.5), 1),
    'victims.days_to_identification_p90': round(censoredQuantile(days, days.length, 0.9), 1),
  };
}

async function offenders(db: Executor, p: Period, country: string | null, manual: Indicators['manual_entries']) {
  // Sent means received: delivered in the period (report_deliveries), not merely finished here.
  const sent = await facts.reportsDelivered(db, p);
  const undelivered = await facts.reportsUndelivered(db, p);
  const sum = (kind: string) => {
    const es = manual.filter((m) => m.kind === kind);
    return es.length ? es.reduce((n, m) => n + m.value, 0) : null;
  };
  return {
    'offenders.reports_received': await facts.reportsReceived(db, p),
    'offenders.reports_sent': sent.length,
    'offenders.reports_referral': sent.filter((r) => r.kind === 'referral').length,
    'offenders.reports_informational': sent.filter((r) => r.kind === 'informational').length,
    'offenders.reports_routed_abroad': sent.filter((r) => r.country !== null && r.country !== country).length,
    'offenders.reports_undelivered': undelivered,
    'offenders.deconfliction_overlaps': await facts.ownOverlaps(db, p),
    'offenders.cases_opened': await facts.ownCasesOpened(db, p),
    'offenders.prosecutions': sum('prosecutions'),
    'offenders.convictions': sum('convictions'),
  };
}

/** Target 2 through lead packages: referrals sent and received, what became of those sent (docs/operations.md). */
async function referrals(db: Executor, p: Period) {
  const [sent, updates, received] = await Promise.all([facts.leadReferrals(db, p), facts.leadUpdatesReceived(db), facts.leadPackagesReceived(db, p)]);
  const inPeriod = (t: number) => t >= p.from && t < p.to;
  // Per package: its receiver's first acceptance, and whether it declined.
  const pkg = new Map<string, { accepted: boolean; declined: boolean }>();
  const outcomes = new Map<string, Array<{ outcome: string; count: number | null; at: number; seq: number }>>();
  for (const u of updates) {
    const k = pkg.get(u.package_uid) ?? { accepted: false, declined: false };
    if (u.type === 'accepted') k.accepted = true;
    if (u.type === 'declined') k.declined = true;
    pkg.set(u.package_uid, k);
    if (u.type === 'outcome' && u.target_ref && u.outcome) {
      const key = `${u.package_uid}\n${u.target_ref}`;
      outcomes.set(key, [...(outcomes.get(key) ?? []), { outcome: u.outcome, count: u.count, at: u.at, seq: u.seq }]);
    }
  }
  // A referral: a target to a country (from an operation, or forwarded from a received package), over the packages that carried it.
  interface Referral {
    sentAt: number;
    accepted: boolean;
    declined: boolean;
    firstAction: number | null;
    charged: number | null;
  }
  const refs = new Map<string, Referral>();
  // Per target of an operation of this node (forwards excluded: their origin counts them): its first charge, its victims reports.
  const people = new Map<string, { charged: number | null; victims: Array<{ count: number; at: number; seq: number }> }>();
  for (const r of sent) {
    const key = `${r.operation_id ?? `fwd:${r.forwarded_from}`}\n${r.country}\n${r.ref}`;
    const e = refs.get(key) ?? { sentAt: r.delivered_at, accepted: false, declined: false, firstAction: null, charged: null };
    e.sentAt = Math.min(e.sentAt, r.delivered_at);
    const k = pkg.get(r.package_uid);
    e.accepted ||= k?.accepted ?? false;
    e.declined ||= k?.declined ?? false;
    const os = outcomes.get(`${r.package_uid}\n${r.ref}`) ?? [];
    for (const o of os) {
      e.firstAction = e.firstAction === null ? o.at : Math.min(e.firstAction, o.at);
      if (o.outcome === 'charged') e.charged = e.charged === null ? o.at : Math.min(e.charged, o.at);
    }
    refs.set(key, e);
    if (r.operation_id !== null) {
      const pk = `${r.operation_id}\n${r.ref}`;
      const q = people.get(pk) ?? { charged: null, victims: [] };
      for (const o of os) {
        if (o.outcome === 'charged') q.charged = q.charged === null ? o.at : Math.min(q.charged, o.at);
        if (o.outcome === 'victims_safeguarded' && o.count !== null) q.victims.push({ count: o.count, at: o.at, seq: o.seq });
      }
      people.set(pk, q);
    }
  }
  const cohort = [...refs.values()].filter((r) => inPeriod(r.sentAt));
  const accepted = cohort.filter((r) => r.accepted).length;
  const declined = cohort.filter((r) => !r.accepted && r.declined).length;
  const days = (xs: number[]) =>
    round(
      censoredQuantile(
        xs.sort((a, b) => a - b),
        xs.length,
        0.5,
      ),
      1,
    );
  /** The count last reported before `t` (0: none). */
  const lastBefore = (vs: Array<{ count: number; at: number; seq: number }>, t: number) =>
    vs
      .filter((v) => v.at < t)
      .sort((a, b) => a.at - b.at || a.seq - b.seq)
      .at(-1)?.count ?? 0;
  let victimsSafeguarded = 0;
  for (const q of people.values()) victimsSafeguarded += lastBefore(q.victims, p.to) - lastBefore(q.victims, p.from);
  // Received: once per sending node, operation and target, when first received.
  const firstReceived = new Map<string, number>();
  for (const r of received) {
    const payload = parseJson<Record<string, unknown> | null>(r.payload, null) ?? {};
    const op = typeof payload.operation === 'object' && payload.operation !== null ? String((payload.operation as { uid?: unknown }).uid ?? '') : '';
    for (const t of Array.isArray(payload.targets) ? (payload.targets as Array<{ ref?: unknown }>) : []) {
      const key = `${r.from_peer}\n${op}\n${String(t.ref)}`;
      firstReceived.set(key, Math.min(firstReceived.get(key) ?? Infinity, r.received_at));
    }
  }
  return {
    'offenders.lead_referrals_sent': cohort.length,
    'offenders.lead_referrals_received': [...firstReceived.values()].filter(inPeriod).length,
    'offenders.lead_referrals_accepted': accepted,
    'offenders.lead_referrals_declined': declined,
    'offenders.lead_acceptance_share': accepted + declined ? round(accepted / (accepted + declined), 4) : null,
    'offenders.lead_days_to_first_action_median': days(cohort.filter((r) => r.firstAction !== null).map((r) => (r.firstAction! - r.sentAt) / DAY)),
    'offenders.lead_days_to_charge_median': days(cohort.filter((r) => r.charged !== null).map((r) => (r.charged! - r.sentAt) / DAY)),
    'offenders.lead_people_charged': [...people.values()].filter((q) => q.charged !== null && inPeriod(q.charged)).length,
    'offenders.lead_victims_safeguarded': victimsSafeguarded,
  };
}

async function awareness(db: Executor, p: Period) {
  const campaigns = await facts.campaignsStarted(db, p);
  const byAudience: Indicators['campaigns_by_audience'] = {};
  for (const c of campaigns) {
    const a = (byAudience[c.audience] ??= { campaigns: 0, reach: 0 });
    a.campaigns++;
    a.reach += Number(c.reach);
  }
  const messages = await facts.messagesServed(db, p);
  const byContext = Object.fromEntries(messages.map((m) => [m.context, Number(m.n)]));
  const total = Object.values(byContext).reduce((n, x) => n + x, 0);
  return {
    values: {
      'awareness.campaigns': campaigns.length,
      'awareness.campaign_reach': campaigns.reduce((n, c) => n + Number(c.reach), 0),
      'awareness.deterrence_messages': byContext.search ?? 0,
      'awareness.safety_messages': total - (byContext.search ?? 0),
    },
    byAudience,
    byContext,
  };
}

async function availability(db: Executor, p: Period) {
  const notices = await facts.noticesSent(db, p);
  const cohort = notices.map((n) => ({
    sent: Number(n.first_sent_at),
    closed: n.status !== 'open' && n.closed_at !== null ? Number(n.closed_at) : null,
    country: n.hosting_country ?? 'unknown',
  }));
  const all = removal(cohort);
  const countries = [...new Set(cohort.map((n) => n.country))].sort();
  return {
    values: {
      // By bank (an index-only count): received content lives in the banks subscriptions feed.
      'availability.signals_contributed': await facts.signalsContributed(db, p),
      'availability.signals_received': await facts.signalsReceived(db, p),
      'availability.signals_fetched': await facts.signalsFetched(db, p),
      'availability.matches': await facts.matchesAudited(db, p),
      'availability.reuploads_blocked': await facts.reuploadsBlocked(db, p),
      'availability.notices_sent': cohort.length,
      'availability.removals_confirmed': await facts.removalsConfirmed(db, p),
      'availability.removal_hours_median': all.median_hours,
      'availability.removal_hours_p90': all.p90_hours,
      'availability.removed_within_24h_share': all.within_24h_share,
      'availability.removed_within_72h_share': all.within_72h_share,
    },
    byCountry: countries.map((country) => ({ country, ...removal(cohort.filter((n) => n.country === country)) })),
  };
}

async function exchange(db: Executor, at: number) {
  const peers = await facts.peersSeen(db);
  const subs = await facts.subscriptionStates(db);
  const recent = (t: number | null) => t !== null && at - Number(t) <= DAY;
  const connected = new Set([
    ...peers.filter((p) => recent(p.last_seen_at)).map((p) => p.id),
    ...subs.filter((s) => recent(s.last_success_at)).map((s) => s.peer_id),
  ]);
  // A subscription that never synced has lagged since it was made.
  const oldest = subs.length ? Math.min(...subs.map((s) => Number(s.last_success_at ?? s.created_at))) : null;
  return {
    'exchange.peers': peers.length,
    'exchange.peers_connected': connected.size,
    'exchange.sync_lag_items': subs.reduce((n, s) => n + Math.max(0, Number(s.latest ?? s.checkpoint) - Number(s.checkpoint)), 0),
    'exchange.sync_lag_hours_max': oldest === null ? null : round((at - oldest) / HOUR, 1),
  };
}

/** Manual entries (prosecutions, convictions) for periods within `p`. */
async function manualEntries(db: Executor, p: Period): Promise<Indicators['manual_entries']> {
  const rows = await facts.manualFigures(db);
  return rows.filter((r) => within(parsePeriod(r.period), p)).map((r) => ({ kind: r.kind, period: r.period, value: Number(r.value), source: r.source }));
}

/** Every indicator of `period` on this node. */
export async function computeIndicators(store: Store, self: { name: string; country: string | null }, period: Period): Promise<Indicators> {
  const db = store.db;
  const at = Date.now();
  const manual = await manualEntries(db, period);
  const aware = await awareness(db, period);
  const avail = await availability(db, period);
  return {
    member: self.name,
    country: self.country,
    period: { key: period.key, from: new Date(period.from).toISOString(), to: new Date(period.to).toISOString() },
    computed_at: new Date(at).toISOString(),
    values: {
      ...(await victims(db, period, self.name)),
      ...(await offenders(db, period, self.country, manual)),
      ...(await referrals(db, period)),
      ...aware.values,
      ...avail.values,
      ...(await exchange(db, at)),
    },
    removal_by_hosting_country: avail.byCountry,
    campaigns_by_audience: aware.byAudience,
    messages_by_context: aware.byContext,
    manual_entries: manual,
  };
}

/** Growth of every count against the baseline ((value − baseline) / baseline; none when the baseline is 0 or missing). */
export function growth(current: Record<string, number | null>, baseline: Record<string, number | null>): Record<string, number | null> {
  return Object.fromEntries(
    Object.entries(current).map(([id, v]) => {
      const b = baseline[id];
      return [id, v === null || b === null || b === undefined || b === 0 ? null : round((v - b) / b, 4)];
    }),
  );
}

/** The alliance's operational goal for target 1: victims identified up at least 10 % on the same period a year before. */
export const VICTIM_GROWTH_GOAL = 0.1;
