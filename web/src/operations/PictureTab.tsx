import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { Operation, OperationPicture as Picture, PictureLine, PictureSignature } from '../../../src/api/contract/index.js';
import { api, apiBlob, saveBlob } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { median, words } from './shared';
import { Button } from '../ui';

const OUTCOME_COLUMNS = ['identified', 'searched', 'arrested', 'charged', 'convicted', 'acquitted', 'no_further_action'] as const;
const SERIES = [
  { key: 'referred', name: 'Referred', colour: '#2f6db5' },
  { key: 'acknowledged', name: 'Acknowledged', colour: '#d68a1f' },
  { key: 'accepted', name: 'Accepted', colour: '#4f9a55' },
  { key: 'first_actions', name: 'First actions', colour: '#8064a2' },
  { key: 'charged', name: 'Charged', colour: '#c0504d' },
] as const;

const n = (x: number) => x.toLocaleString('en');
const where = (l: PictureLine) => l.country ?? 'no country';

/**
 * The operation's picture: per receiving country, targets referred, acknowledged, accepted, what
 * came of them and how fast (medians: "not known yet" until something was measured, never 0), a
 * timeline, and the exports (CSV; the signed PDF summary for the participating authorities).
 */
export function PictureTab({ operation }: { operation: Operation }) {
  const id = operation.id;
  const picture = useLoad(() => api<Picture>(`/operations/${id}/picture`), [id]);
  const { busy, error, run } = useAction();
  const p = picture.data;
  const download = (ext: 'csv' | 'pdf' | 'pdf.sig') =>
    run(`The picture's ${ext === 'pdf.sig' ? 'signature' : ext.toUpperCase()} was not downloaded`, async () => {
      const file = `operation-${id}-picture.${ext}`;
      if (ext !== 'pdf.sig') saveBlob(await apiBlob(`/operations/${id}/picture.${ext}`), file);
      else saveBlob(new Blob([JSON.stringify(await api<PictureSignature>(`/operations/${id}/picture.pdf.sig`), null, 2)], { type: 'application/json' }), file);
    });

  return (
    <>
      <h2 className="sr-only">Picture</h2>
      <ErrorMessage error={picture.error ?? error} />
      {p && (
        <>
          <p className="muted">
            As of {when(p.generated_at)}.{' '}
            <Button onClick={picture.reload} disabled={picture.loading}>
              Refresh
            </Button>
          </p>
          <p className="actions">
            <Button disabled={busy} onClick={() => void download('csv')}>
              Download CSV
            </Button>{' '}
            <Button disabled={busy} onClick={() => void download('pdf')}>
              Download the signed PDF
            </Button>{' '}
            <Button disabled={busy} onClick={() => void download('pdf.sig')}>
              Its signature
            </Button>
          </p>
          <table className="op-picture">
            <caption>Referrals per country</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                <th scope="col">Authority</th>
                <th scope="col">Targets</th>
                <th scope="col">Held</th>
                <th scope="col">Referred</th>
                <th scope="col">Acknowledged</th>
                <th scope="col">Accepted</th>
                <th scope="col">Declined</th>
                <th scope="col">Victims safeguarded</th>
                <th scope="col">Median hours to acknowledge</th>
                <th scope="col">Median days to first action</th>
                <th scope="col">Median days to charge</th>
              </tr>
            </thead>
            <tbody>
              {[...p.countries, p.totals].map((l, i) => {
                const total = i === p.countries.length;
                return (
                  <tr key={total ? 'total' : where(l)} data-picture={total ? 'total' : where(l)} className={total ? 'total' : undefined}>
                    <th scope="row">{total ? 'All countries' : where(l)}</th>
                    <td>{total ? '' : (l.authority ?? 'none yet')}</td>
                    <td className="num">{n(l.targets)}</td>
                    <td className="num">{n(l.held)}</td>
                    <td className="num">{n(l.referred)}</td>
                    <td className="num">{n(l.acknowledged)}</td>
                    <td className="num">{n(l.accepted)}</td>
                    <td className="num">{n(l.declined)}</td>
                    <td className="num">{n(l.victims_safeguarded)}</td>
                    <td className="num">{median(l.median_hours_to_acknowledge)}</td>
                    <td className="num">{median(l.median_days_to_first_action)}</td>
                    <td className="num">{median(l.median_days_to_charge)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <table className="op-picture">
            <caption>Outcomes per country (targets)</caption>
            <thead>
              <tr>
                <th scope="col">Country</th>
                {OUTCOME_COLUMNS.map((o) => (
                  <th scope="col" key={o}>
                    {words(o)[0].toUpperCase() + words(o).slice(1)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {[...p.countries, p.totals].map((l, i) => {
                const total = i === p.countries.length;
                return (
                  <tr key={total ? 'total' : where(l)} data-outcomes={total ? 'total' : where(l)} className={total ? 'total' : undefined}>
                    <th scope="row">{total ? 'All countries' : where(l)}</th>
                    {OUTCOME_COLUMNS.map((o) => (
                      <td className="num" key={o}>
                        {n(l.outcomes[o] ?? 0)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          <Timeline timeline={p.timeline} />
        </>
      )}
    </>
  );
}

function Timeline({ timeline }: { timeline: Picture['timeline'] }) {
  const empty = timeline.every((d) => SERIES.every((s) => !d[s.key]));
  return (
    <figure className="chart" data-chart="operation-timeline" data-empty={empty || undefined}>
      <figcaption>Timeline: targets referred and what came of them, per day (UTC)</figcaption>
      {empty ? (
        <p className="chart-empty">No data yet: nothing referred in this operation so far.</p>
      ) : (
        <div style={{ width: '100%', height: 280 }}>
          <ResponsiveContainer>
            <BarChart data={timeline} margin={{ top: 18, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="date" label={{ value: 'Date', position: 'insideBottom', offset: -4 }} height={40} />
              <YAxis allowDecimals={false} label={{ value: 'Targets', angle: -90, position: 'insideLeft' }} />
              <Tooltip />
              <Legend verticalAlign="top" itemSorter={null} />
              {SERIES.map((s) => (
                <Bar key={s.key} dataKey={s.key} name={s.name} fill={s.colour} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      )}
      {!empty && (
        <table className="sr-only chart-data">
          <caption>Timeline</caption>
          <thead>
            <tr>
              <th scope="col">Date</th>
              {SERIES.map((s) => (
                <th scope="col" key={s.key}>
                  {s.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {timeline.map((d) => (
              <tr key={d.date} data-date={d.date}>
                <th scope="row">{d.date}</th>
                {SERIES.map((s) => (
                  <td key={s.key}>{d[s.key]}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </figure>
  );
}
