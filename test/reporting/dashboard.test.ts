/**
 * The secretariat's aggregation, worked by hand: sums per period, baseline against latest, the
 * removal league (counts added, shares re-weighted by notices, medians weighted by notices), the
 * latest MNR phases per member, and who has not reported for the latest period.
 */
import { describe, expect, it } from 'vitest';
import type { CountryReport } from '../../src/reporting/country-report.js';
import { dashboard, type Received } from '../../src/reporting/dashboard.js';

function received(
  member: string,
  country: string,
  period: string,
  values: Record<string, number>,
  removal: CountryReport['indicators']['removal_by_hosting_country'] = [],
  phases: Array<number | null> = [],
): Received {
  const report = {
    format: 'alliance-country-report/1',
    member,
    country,
    period,
    baseline: period,
    generated_at: '2026-10-01T00:00:00.000Z',
    indicators: {
      period: { key: period, from: '', to: '' },
      computed_at: '',
      values,
      removal_by_hosting_country: removal,
      campaigns_by_audience: {},
      messages_by_context: {},
      manual_entries: [],
    },
    baseline_values: {},
    growth: {},
    victim_goal: { growth: null, goal: 0.1, met: null },
    assessment: Array.from({ length: 21 }, (_, i) => ({ id: i + 1, group: '', name: '', phase: phases[i] ?? null, evidence: null })),
    narrative: {},
  } as CountryReport;
  return { member, country, period, report };
}

describe('alliance dashboard', () => {
  const reports = [
    received('police-be', 'BE', '2026-Q2', { 'victims.identified': 2, 'availability.removals_confirmed': 10 }, [], [1]),
    received(
      'police-be',
      'BE',
      '2026-Q3',
      {
        'victims.identified': 3,
        'availability.removals_confirmed': 12,
        'offenders.lead_referrals_sent': 10,
        'offenders.lead_referrals_accepted': 6,
        'offenders.lead_referrals_declined': 2,
        'offenders.lead_people_charged': 3,
        'offenders.lead_victims_safeguarded': 4,
      },
      [
        { country: 'NL', notices: 10, removed: 8, median_hours: 20, p90_hours: null, within_24h_share: 0.6, within_72h_share: 0.8 },
        { country: 'US', notices: 4, removed: 4, median_hours: 6, p90_hours: 10, within_24h_share: 1, within_72h_share: 1 },
      ],
      [2, null, 3],
    ),
    received(
      'bka-de',
      'DE',
      '2026-Q3',
      {
        'victims.identified': 5,
        'availability.removals_confirmed': 1,
        'offenders.lead_referrals_sent': 5,
        'offenders.lead_referrals_received': 9,
        'offenders.lead_referrals_accepted': 1,
        'offenders.lead_referrals_declined': 1,
        'offenders.lead_people_charged': 2,
        'offenders.lead_victims_safeguarded': 0,
      },
      [{ country: 'NL', notices: 30, removed: 12, median_hours: null, p90_hours: null, within_24h_share: 0.1, within_72h_share: 0.3 }],
    ),
    received('bka-de', 'DE', '2026-07', { 'victims.identified': 99 }), // a month: not on the quarters' dashboard
  ];
  const d = dashboard(reports, 'quarter', [
    { member: 'police-be', country: 'BE' },
    { member: 'bka-de', country: 'DE' },
    { member: 'police-fr', country: 'FR' },
  ]);

  it('adds members up per period and compares the first period with the latest', () => {
    expect(d.periods).toEqual(['2026-Q2', '2026-Q3']);
    expect(d.alliance.map((a) => [a.period, a.members, a.values['victims.identified'], a.values['availability.removals_confirmed']])).toEqual([
      ['2026-Q2', 1, 2, 10],
      ['2026-Q3', 2, 8, 13],
    ]);
    // Over the members that reported in both periods: bka-de joining in Q3 is not growth.
    expect(d.baseline_vs_latest.members).toEqual(['police-be']);
    expect(d.baseline_vs_latest.values['victims.identified']).toEqual({ baseline: 2, latest: 3, growth: 0.5 });
    expect(d.countries.find((c) => c.member === 'police-be')!.reports.map((r) => r.period)).toEqual(['2026-Q2', '2026-Q3']);
  });

  it('adds target 2 referrals up per period and works out the acceptance rate from the sums; "not known" where no member said', () => {
    expect(d.referrals).toEqual([
      // Q2: the one report predates the lead-package indicators.
      {
        period: '2026-Q2',
        members: 1,
        sent: null,
        received: null,
        accepted: null,
        declined: null,
        acceptance_share: null,
        people_charged: null,
        victims_safeguarded: null,
      },
      // Q3: (6 + 1) / (6 + 1 + 2 + 1) = 0.7
      { period: '2026-Q3', members: 2, sent: 15, received: 9, accepted: 7, declined: 3, acceptance_share: 0.7, people_charged: 5, victims_safeguarded: 4 },
    ]);
    expect(d.alliance[1].values['offenders.lead_people_charged']).toBe(5);
  });

  it('ranks hosting countries by the share removed within 24 hours, weighting by notices', () => {
    expect(d.removal_league).toEqual([
      { country: 'US', notices: 4, removed: 4, within_24h_share: 1, within_72h_share: 1, median_hours: 6, reports: 1 },
      // NL: (0.6 × 10 + 0.1 × 30) / 40 = 0.225; (0.8 × 10 + 0.3 × 30) / 40 = 0.425; median from the one report that has one
      { country: 'NL', notices: 40, removed: 20, within_24h_share: 0.225, within_72h_share: 0.425, median_hours: 20, reports: 2 },
    ]);
  });

  it("shows each member's latest self-assessment, and who has not reported for the latest period", () => {
    expect(d.mnr.find((m) => m.member === 'police-be')).toMatchObject({ period: '2026-Q3', phases: expect.arrayContaining([2, null, 3]) });
    expect(d.mnr.find((m) => m.member === 'police-be')!.phases.slice(0, 3)).toEqual([2, null, 3]);
    expect(d.not_reported).toEqual([{ member: 'police-fr', country: 'FR' }]);
    expect(dashboard([], 'quarter', [{ member: 'x', country: 'XX' }])).toMatchObject({
      latest: null,
      periods: [],
      not_reported: [{ member: 'x', country: 'XX' }],
    });
  });
});
