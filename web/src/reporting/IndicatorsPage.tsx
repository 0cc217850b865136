import { useState, type FormEvent } from 'react';
import { formatGrowth, formatValue } from '../../../src/reporting/format';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { PageHeading } from '../PageHeading';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { TrendChart } from './TrendChart';
import { currentQuarter, TARGET_TITLES, trailingPeriods, type Definition, type IndicatorReport } from './types';
import { Button } from '../ui/Button';
import { DataTable, type Column } from '../ui/DataTable';
import { Skeleton } from '../ui/Skeleton';

const TRENDS: Array<[string, string]> = [
  ['victims.identified', 'Victims identified'],
  ['offenders.reports_sent', 'Incident reports sent'],
  ['awareness.campaign_reach', 'People reached by campaigns'],
  ['availability.removals_confirmed', 'Removals confirmed'],
];

type Hosting = IndicatorReport['indicators']['removal_by_hosting_country'][number];
const HOSTING_COLUMNS: ReadonlyArray<Column<Hosting>> = [
  { key: 'country', header: 'Hosting country', rowHeader: true, sort: (c) => c.country, cell: (c) => c.country },
  { key: 'notices', header: 'Notices', numeric: true, sort: (c) => c.notices, cell: (c) => formatValue('count', c.notices) },
  { key: 'removed', header: 'Removed', numeric: true, sort: (c) => c.removed, cell: (c) => formatValue('count', c.removed) },
  { key: 'median', header: 'Median hours', numeric: true, sort: (c) => c.median_hours, cell: (c) => formatValue('hours', c.median_hours) },
  { key: 'p90', header: '90th percentile', numeric: true, sort: (c) => c.p90_hours, cell: (c) => formatValue('hours', c.p90_hours) },
  { key: 'd1', header: 'Within 24 h', numeric: true, sort: (c) => c.within_24h_share, cell: (c) => formatValue('share', c.within_24h_share) },
  { key: 'd3', header: 'Within 72 h', numeric: true, sort: (c) => c.within_72h_share, cell: (c) => formatValue('share', c.within_72h_share) },
];

/** This node's indicators of the four targets for a period, against a baseline, live. */
export function IndicatorsPage() {
  const [text, setText] = useState(currentQuarter());
  const [baselineText, setBaselineText] = useState('');
  const [query, setQuery] = useState({ period: currentQuarter(), baseline: '' });
  const defs = useLoad(() => api<{ indicators: Definition[] }>('/indicators/definitions'), []);
  const data = useLoad(
    () => api<IndicatorReport>(`/indicators?${new URLSearchParams({ period: query.period, ...(query.baseline ? { baseline: query.baseline } : {}) })}`),
    [query.period, query.baseline],
  );
  const periods = trailingPeriods(query.period, 4);
  const trend = useLoad(() => Promise.all(periods.map((p) => api<IndicatorReport>(`/indicators?period=${p}`))), [query.period]);

  const show = (e: FormEvent) => {
    e.preventDefault();
    setQuery({ period: text.trim(), baseline: baselineText.trim() });
  };
  const r = data.data;
  const goal = r?.victim_goal;
  return (
    <>
      <PageHeading title="Indicators" />
      <p>The four policy targets measured from what happened on this node. Definitions: docs/indicators.md.</p>
      <form onSubmit={show} className="choice" aria-label="Period">
        <label>
          Period <input value={text} onChange={(e) => setText(e.target.value)} placeholder="2026-Q3" size={9} />
        </label>{' '}
        <label>
          Baseline <input value={baselineText} onChange={(e) => setBaselineText(e.target.value)} placeholder="a year before" size={12} />
        </label>{' '}
        <Button type="submit" weight="primary">
          Show
        </Button>
      </form>
      <ErrorMessage error={data.error ?? defs.error ?? trend.error} />
      {(data.loading || defs.loading) && !(r && defs.data) && <Skeleton label="Loading the indicators…" table={{ columns: 4 }} lines={6} />}
      {r && defs.data && (
        <>
          <p data-goal className={goal?.met ? 'on' : goal?.met === false ? 'off' : 'muted'}>
            Victims identified {formatGrowth(goal?.growth)} on {r.baseline.period} (alliance goal +{((goal?.goal ?? 0.1) * 100).toFixed(0)} % a year
            {goal?.met === null ? '' : goal?.met ? ': met' : ': not met'}). Computed {when(r.indicators.computed_at)}.
          </p>
          {(Object.keys(TARGET_TITLES) as Definition['target'][]).map((target) => (
            <section key={target} aria-labelledby={`t-${target}`}>
              <h2 id={`t-${target}`}>{TARGET_TITLES[target]}</h2>
              <DataTable
                caption={TARGET_TITLES[target]}
                className="indicators"
                columns={[
                  {
                    key: 'label',
                    header: 'Indicator',
                    rowHeader: true,
                    sort: (d) => d.label,
                    cell: (d) => <span title={d.definition}>{d.label}</span>,
                  },
                  {
                    key: 'value',
                    header: r.indicators.period.key,
                    numeric: true,
                    className: 'value',
                    sort: (d) => r.indicators.values[d.id],
                    cell: (d) => formatValue(d.unit, r.indicators.values[d.id]),
                  },
                  {
                    key: 'baseline',
                    header: `Baseline ${r.baseline.period}`,
                    numeric: true,
                    sort: (d) => r.baseline.values[d.id],
                    cell: (d) => formatValue(d.unit, r.baseline.values[d.id]),
                  },
                  {
                    key: 'growth',
                    header: 'Growth',
                    numeric: true,
                    sort: (d) => (d.unit === 'count' ? r.growth[d.id] : null),
                    cell: (d) => (d.unit === 'count' ? formatGrowth(r.growth[d.id]) : ''),
                  },
                ]}
                rows={defs.data!.indicators.filter((d) => d.target === target)}
                rowKey={(d) => d.id}
                rowProps={(d) => ({ 'data-indicator': d.id })}
              />
            </section>
          ))}
          <section aria-labelledby="hosting-heading">
            <h2 id="hosting-heading">Time to removal by hosting country</h2>
            <DataTable
              caption="Time to removal by hosting country"
              className="hosting"
              columns={HOSTING_COLUMNS}
              rows={r.indicators.removal_by_hosting_country}
              rowKey={(c) => c.country}
              rowProps={(c) => ({ 'data-hosting': c.country })}
              pageSize={25}
              empty="No notices sent in the period."
            />
          </section>
        </>
      )}
      {trend.loading && !trend.data && <Skeleton label="Loading the trend…" lines={4} />}
      {trend.data && (
        <section aria-labelledby="trend-heading" className="charts">
          <h2 id="trend-heading">Trend over the last four periods</h2>
          {TRENDS.map(([id, title]) => (
            <TrendChart
              key={id}
              title={title}
              periods={periods}
              series={[{ name: 'this node', values: Object.fromEntries(periods.map((p, i) => [p, trend.data![i].indicators.values[id]])) }]}
            />
          ))}
        </section>
      )}
    </>
  );
}
