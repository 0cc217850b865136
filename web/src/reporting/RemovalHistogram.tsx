import { Bar, BarChart, CartesianGrid, LabelList, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { removalDistribution } from '../../../src/reporting/format';

/**
 * Removal times as a distribution: how many notices were removed within each span after the first
 * notice was sent (a median hides the hosts that take weeks). Listed in a table for screen readers.
 */
export function RemovalHistogram({ hours }: { hours: readonly number[] }) {
  const data = removalDistribution(hours);
  return (
    <figure className="chart" data-chart="removal-times" data-empty={hours.length === 0 || undefined}>
      <figcaption>Time from the first notice to removal ({hours.length} removed)</figcaption>
      {hours.length === 0 ? (
        <p className="chart-empty">No data yet: no notice has been confirmed removed.</p>
      ) : (
        <div style={{ width: '100%', height: 260 }}>
          <ResponsiveContainer>
            <BarChart data={data} margin={{ top: 18, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="bin" label={{ value: 'Time to removal', position: 'insideBottom', offset: -4 }} height={40} />
              <YAxis allowDecimals={false} label={{ value: 'Notices', angle: -90, position: 'insideLeft' }} />
              <Tooltip />
              <Legend verticalAlign="top" />
              <Bar dataKey="notices" name="notices removed" fill="#2f6db5" isAnimationActive={false}>
                <LabelList dataKey="notices" position="top" className="chart-value" />
              </Bar>
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      <table className="sr-only chart-data">
        <caption>Notices by time to removal</caption>
        <thead>
          <tr>
            <th scope="col">Time to removal</th>
            <th scope="col">Notices</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.bin} data-bin={d.bin}>
              <th scope="row">{d.bin}</th>
              <td>{d.notices}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
