import { useState } from 'react';
import { formatGrowth, formatValue } from '../../../src/reporting/format';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { PageHeading } from '../PageHeading';
import { useLoad } from '../useLoad';
import { TrendChart } from './TrendChart';
import type { AllianceDashboard as Dashboard } from '../../../src/api/contract/index.js';
import { DataTable, type Column } from '../ui/DataTable';
import { Skeleton } from '../ui/Skeleton';

const CHARTS: Array<[string, string]> = [
  ['victims.identified', 'Target 1: victims identified'],
  ['offenders.reports_sent', 'Target 2: incident reports sent'],
  ['awareness.campaign_reach', 'Target 3: people reached by campaigns'],
  ['availability.removals_confirmed', 'Target 4: removals confirmed'],
];
const LABELS: Record<string, string> = {
  'victims.identified': 'Victims identified',
  'victims.referred': 'Victims referred to support',
  'offenders.reports_sent': 'Incident reports sent',
  'offenders.reports_received': 'Incident reports received',
  'awareness.campaign_reach': 'People reached by campaigns',
  'availability.notices_sent': 'Takedown notices sent',
  'availability.removals_confirmed': 'Removals confirmed',
  'availability.matches': 'Matches',
};
const PHASES = ['Initial', 'Developing', 'Established', 'Advanced'];

type League = Dashboard['removal_league'][number];
const LEAGUE_COLUMNS: ReadonlyArray<Column<League>> = [
  { key: 'country', header: 'Hosting country', rowHeader: true, sort: (l) => l.country, cell: (l) => l.country },
  { key: 'notices', header: 'Notices', numeric: true, sort: (l) => l.notices, cell: (l) => formatValue('count', l.notices) },
  { key: 'removed', header: 'Removed', numeric: true, sort: (l) => l.removed, cell: (l) => formatValue('count', l.removed) },
  { key: 'd1', header: 'Within 24 h', numeric: true, sort: (l) => l.within_24h_share, cell: (l) => formatValue('share', l.within_24h_share) },
  { key: 'd3', header: 'Within 72 h', numeric: true, sort: (l) => l.within_72h_share, cell: (l) => formatValue('share', l.within_72h_share) },
  { key: 'median', header: 'Median hours (weighted)', numeric: true, sort: (l) => l.median_hours, cell: (l) => formatValue('hours', l.median_hours) },
  { key: 'reports', header: 'Reports', numeric: true, sort: (l) => l.reports, cell: (l) => l.reports },
];

/** The secretariat's view of the alliance: only what members' signed reports say, never case data. */
export function AlliancePage() {
  const [kind, setKind] = useState('quarter');
  const d = useLoad(() => api<Dashboard>(`/alliance/dashboard?kind=${kind}`), [kind]);
  const data = d.data;
  const name = (c: { member: string; country: string | null }) => (c.country ? `${c.country} (${c.member})` : c.member);
  return (
    <>
      <PageHeading title="Alliance" />
      <p>Trends of the four targets from the country reports members signed and submitted to this node.</p>
      <label>
        Periods{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value)}>
          <option value="month">months</option>
          <option value="quarter">quarters</option>
          <option value="year">years</option>
        </select>
      </label>
      <ErrorMessage error={d.error} />
      {d.loading && !data && <Skeleton label="Loading the dashboard…" lines={5} />}
      {data && data.periods.length === 0 && (
        <p className="chart-empty" data-empty>
          No data yet: no member has submitted a signed country report to this node. Each member builds, signs and submits its report on its Country reports
          page; the trends per country appear here once the first one arrives.
        </p>
      )}
      {data && data.periods.length > 0 && (
        <>
          <section aria-labelledby="missing-heading">
            <h2 id="missing-heading">Not reported for {data.latest}</h2>
            {data.not_reported.length === 0 ? (
              <p>Every member has reported.</p>
            ) : (
              <ul className="not-reported">
                {data.not_reported.map((m) => (
                  <li key={m.member}>{name(m)}</li>
                ))}
              </ul>
            )}
          </section>
          <section aria-labelledby="trends-heading" className="charts">
            <h2 id="trends-heading">Trends per country, with the alliance total</h2>
            {CHARTS.map(([id, title]) => (
              <TrendChart
                key={id}
                title={title}
                periods={data.periods}
                total
                series={data.countries.map((c) => ({ name: name(c), values: Object.fromEntries(c.reports.map((r) => [r.period, r.values[id]])) }))}
              />
            ))}
          </section>
          <section aria-labelledby="baseline-heading">
            <h2 id="baseline-heading">
              Alliance: {data.baseline_vs_latest.baseline} against {data.baseline_vs_latest.latest}
            </h2>
            <p className="muted">
              Over the {data.baseline_vs_latest.members.length} member(s) that reported for both: {data.baseline_vs_latest.members.join(', ') || 'none'}.
            </p>
            <DataTable
              caption={`Alliance: ${data.baseline_vs_latest.baseline} against ${data.baseline_vs_latest.latest}`}
              className="baseline-latest"
              columns={[
                { key: 'id', header: 'Indicator', rowHeader: true, sort: ([id]) => LABELS[id] ?? id, cell: ([id]) => LABELS[id] ?? id },
                {
                  key: 'b',
                  header: data.baseline_vs_latest.baseline,
                  numeric: true,
                  sort: ([, v]) => v.baseline,
                  cell: ([, v]) => formatValue('count', v.baseline),
                },
                { key: 'l', header: data.baseline_vs_latest.latest, numeric: true, sort: ([, v]) => v.latest, cell: ([, v]) => formatValue('count', v.latest) },
                { key: 'g', header: 'Growth', numeric: true, sort: ([, v]) => v.growth, cell: ([, v]) => formatGrowth(v.growth) },
              ]}
              rows={Object.entries(data.baseline_vs_latest.values)}
              rowKey={([id]) => id}
              rowProps={([id]) => ({ 'data-indicator': id })}
            />
          </section>
          <section aria-labelledby="league-heading">
            <h2 id="league-heading">Time to removal by hosting country, {data.latest}</h2>
            <DataTable
              caption={`Time to removal by hosting country, ${data.latest}`}
              className="league"
              columns={LEAGUE_COLUMNS}
              rows={data.removal_league}
              rowKey={(l) => l.country}
              rowProps={(l) => ({ 'data-hosting': l.country })}
              pageSize={25}
              empty={`No takedown notices reported for ${data.latest}.`}
            />
          </section>
          <section aria-labelledby="mnr-heading">
            <h2 id="mnr-heading">Model National Response maturity</h2>
            <table className="heatmap">
              <thead>
                <tr>
                  <th scope="col">Member</th>
                  {Array.from({ length: 21 }, (_, i) => (
                    <th scope="col" key={i}>
                      {i + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {data.mnr.map((m) => (
                  <tr key={m.member} data-member={m.member}>
                    <th scope="row">
                      {name(m)} <small>{m.period}</small>
                    </th>
                    {m.phases.map((p, i) => (
                      <td key={i} className={`phase phase-${p ?? 0}`} title={p ? `${i + 1}: phase ${p} ${PHASES[p - 1]}` : `${i + 1}: not assessed`}>
                        {p ?? ''}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
    </>
  );
}
