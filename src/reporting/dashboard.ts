/**
 * The secretariat's dashboard: per-country and alliance-wide trends per target, baseline against
 * latest, the league of hosting countries by time to removal, the MNR maturity of every member,
 * and who has not reported — all read from the signed country reports members submitted; no
 * case data ever reaches it.
 */
import type { CountryReport } from './country-report.js';
import { parsePeriod, type PeriodKind } from './periods.js';

/** The indicator of each target drawn in the trends (sums across members are alliance totals: each counts events of its own node). */
export const TREND_INDICATORS = [
  'victims.identified',
  'victims.referred',
  'offenders.reports_sent',
  'offenders.reports_received',
  'offenders.lead_referrals_sent',
  'offenders.lead_referrals_received',
  'offenders.lead_people_charged',
  'offenders.lead_victims_safeguarded',
  'awareness.campaign_reach',
  'availability.notices_sent',
  'availability.removals_confirmed',
  'availability.matches',
] as const;

export interface Received {
  member: string;
  country: string | null;
  period: string;
  report: CountryReport;
}

export interface Dashboard {
  kind: PeriodKind;
  periods: string[];
  latest: string | null;
  countries: Array<{
    member: string;
    country: string | null;
    reports: Array<{ period: string; values: Record<string, number | null>; victim_goal: CountryReport['victim_goal'] }>;
  }>;
  alliance: Array<{ period: string; members: number; values: Record<string, number> }>;
  /** Over `members`: those that reported both for the first and the latest period. */
  baseline_vs_latest: {
    baseline: string | null;
    latest: string | null;
    members: string[];
    values: Record<string, { baseline: number; latest: number; growth: number | null }>;
  };
  removal_league: Array<{
    country: string;
    notices: number;
    removed: number;
    within_24h_share: number | null;
    within_72h_share: number | null;
    median_hours: number | null;
    reports: number;
  }>;
  /**
   * Target 2 through lead packages, per period: the members' counts summed (each target is counted
   * by one node: referrals by the sender, people charged and victims safeguarded by the operation's
   * node) and the alliance's acceptance rate worked out from them; the medians of each member are in
   * `countries` (their raw times never leave them). Null: no member reported it (an older report).
   */
  referrals: Array<{
    period: string;
    members: number;
    sent: number | null;
    received: number | null;
    accepted: number | null;
    declined: number | null;
    acceptance_share: number | null;
    people_charged: number | null;
    victims_safeguarded: number | null;
  }>;
  mnr: Array<{ member: string; country: string | null; period: string; phases: Array<number | null> }>;
  not_reported: Array<{ member: string; country: string | null }>;
}

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;

/** Builds the dashboard for periods of `kind` from the latest report of each member and period; `members` are those expected to report. */
export function dashboard(received: readonly Received[], kind: PeriodKind, members: ReadonlyArray<{ member: string; country: string | null }>): Dashboard {
  const mine = received.filter((r) => parsePeriod(r.period).kind === kind);
  const periods = [...new Set(mine.map((r) => r.period))].sort((a, b) => parsePeriod(a).from - parsePeriod(b).from);
  const latest = periods.at(-1) ?? null;
  const byMember = new Map<string, Received[]>();
  for (const r of mine) byMember.set(r.member, [...(byMember.get(r.member) ?? []), r]);

  const alliance = periods.map((period) => {
    const rs = mine.filter((r) => r.period === period);
    const values = Object.fromEntries(TREND_INDICATORS.map((id) => [id, rs.reduce((n, r) => n + (r.report.indicators.values[id] ?? 0), 0)]));
    return { period, members: rs.length, values };
  });
  const referrals = periods.map((period) => {
    const rs = mine.filter((r) => r.period === period);
    /** The sum over the members that reported it (null: none did). */
    const total = (id: string) => {
      const vs = rs.map((r) => r.report.indicators.values[id]).filter((v): v is number => typeof v === 'number');
      return vs.length ? vs.reduce((n, v) => n + v, 0) : null;
    };
    const accepted = total('offenders.lead_referrals_accepted');
    const declined = total('offenders.lead_referrals_declined');
    return {
      period,
      members: rs.length,
      sent: total('offenders.lead_referrals_sent'),
      received: total('offenders.lead_referrals_received'),
      accepted,
      declined,
      acceptance_share: accepted !== null && declined !== null && accepted + declined > 0 ? round(accepted / (accepted + declined)) : null,
      people_charged: total('offenders.lead_people_charged'),
      victims_safeguarded: total('offenders.lead_victims_safeguarded'),
    };
  });
  // Baseline against latest over the members that reported in both (a member joining is not growth).
  const first = periods[0];
  const last = periods.at(-1);
  const both = [...byMember].filter(([, rs]) => rs.some((r) => r.period === first) && rs.some((r) => r.period === last)).map(([m]) => m);
  const sum = (period: string | undefined, id: string) =>
    mine.filter((r) => r.period === period && both.includes(r.member)).reduce((n, r) => n + (r.report.indicators.values[id] ?? 0), 0);
  const baselineVsLatest = Object.fromEntries(
    TREND_INDICATORS.map((id) => {
      const b = sum(first, id);
      const l = sum(last, id);
      return [id, { baseline: b, latest: l, growth: b ? round((l - b) / b) : null }];
    }),
  );

  // The league of the latest period: counts add up exactly; shares are re-weighted by notices; the
  // median is each report's median weighted by its notices (members' raw times never leave them).
  const league = new Map<string, { notices: number; removed: number; in24: number; in72: number; medianWeight: number; medianSum: number; reports: number }>();
  for (const r of mine.filter((x) => x.period === latest)) {
    for (const c of r.report.indicators.removal_by_hosting_country) {
      const l = league.get(c.country) ?? { notices: 0, removed: 0, in24: 0, in72: 0, medianWeight: 0, medianSum: 0, reports: 0 };
      l.notices += c.notices;
      l.removed += c.removed;
      l.in24 += (c.within_24h_share ?? 0) * c.notices;
      l.in72 += (c.within_72h_share ?? 0) * c.notices;
      if (c.median_hours !== null) {
        l.medianSum += c.median_hours * c.notices;
        l.medianWeight += c.notices;
      }
      l.reports++;
      league.set(c.country, l);
    }
  }
  const removalLeague = [...league]
    .map(([country, l]) => ({
      country,
      notices: l.notices,
      removed: l.removed,
      within_24h_share: l.notices ? round(l.in24 / l.notices) : null,
      within_72h_share: l.notices ? round(l.in72 / l.notices) : null,
      median_hours: l.medianWeight ? round(l.medianSum / l.medianWeight, 1) : null,
      reports: l.reports,
    }))
    .sort((a, b) => (b.within_24h_share ?? -1) - (a.within_24h_share ?? -1) || b.notices - a.notices || a.country.localeCompare(b.country));

  const mnr = [...byMember.values()].map((rs) => {
    const r = rs.sort((a, b) => parsePeriod(a.period).from - parsePeriod(b.period).from).at(-1)!;
    return { member: r.member, country: r.country, period: r.period, phases: r.report.assessment.map((c) => c.phase) };
  });

  return {
    kind,
    periods,
    latest,
    countries: [...byMember].map(([member, rs]) => ({
      member,
      country: rs[0].country,
      reports: rs
        .sort((a, b) => parsePeriod(a.period).from - parsePeriod(b.period).from)
        .map((r) => ({ period: r.period, values: r.report.indicators.values, victim_goal: r.report.victim_goal })),
    })),
    alliance,
    baseline_vs_latest: { baseline: first ?? null, latest: last ?? null, members: both, values: baselineVsLatest },
    removal_league: removalLeague,
    referrals,
    mnr,
    not_reported: members.filter((m) => latest === null || !mine.some((r) => r.member === m.member && r.period === latest)),
  };
}
