import { Bar, CartesianGrid, ComposedChart, LabelList, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

const COLOURS = ['#2f6db5', '#c0504d', '#4f9a55', '#8064a2', '#d68a1f', '#2aa3a3', '#7f7f7f', '#b8578f'];

/**
 * One indicator over periods: a bar per series (country) and, when asked, a line for the total;
 * with a legend and both axes labelled. Values are printed on the bars (and listed in a table for
 * screen readers and tests). With nothing counted in any period it says so instead of an empty grid.
 */
export function TrendChart({
  title,
  periods,
  series,
  total,
  unit = 'Count',
}: {
  title: string;
  periods: string[];
  series: Array<{ name: string; values: Record<string, number | null> }>;
  total?: boolean;
  /** The y axis's label. */
  unit?: string;
}) {
  const data = periods.map((p) => ({
    period: p,
    ...Object.fromEntries(series.map((s) => [s.name, s.values[p] ?? 0])),
    ...(total ? { total: series.reduce((n, s) => n + (s.values[p] ?? 0), 0) } : {}),
  }));
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const empty = series.every((s) => periods.every((p) => !s.values[p]));
  return (
    <figure className="chart" data-chart={slug} data-empty={empty || undefined}>
      <figcaption>{title}</figcaption>
      {empty ? (
        <p className="chart-empty">
          No data yet: nothing counted from {periods[0]} to {periods[periods.length - 1]}.
        </p>
      ) : (
        <div style={{ width: '100%', height: 260 }}>
          <ResponsiveContainer>
            <ComposedChart data={data} margin={{ top: 18, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="period" label={{ value: 'Period', position: 'insideBottom', offset: -4 }} height={40} />
              <YAxis allowDecimals={false} label={{ value: unit, angle: -90, position: 'insideLeft' }} />
              <Tooltip />
              <Legend verticalAlign="top" />
              {series.map((s, i) => (
                <Bar key={s.name} dataKey={s.name} fill={COLOURS[i % COLOURS.length]} isAnimationActive={false}>
                  <LabelList dataKey={s.name} position="top" className="chart-value" />
                </Bar>
              ))}
              {total && <Line dataKey="total" name="alliance" stroke="#111" strokeWidth={2} isAnimationActive={false} />}
            </ComposedChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="sr-only chart-data">
        <caption>{title}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {series.map((s) => (
              <th scope="col" key={s.name}>
                {s.name}
              </th>
            ))}
            {total && <th scope="col">alliance</th>}
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.period}>
              <th scope="row">{d.period}</th>
              {series.map((s) => (
                <td key={s.name}>{String((d as Record<string, unknown>)[s.name])}</td>
              ))}
              {total && <td>{String((d as Record<string, unknown>).total)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
