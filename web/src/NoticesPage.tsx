import { lazy, Suspense, useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import type { NoticeDetail, NoticeSummary } from './types';
import { useLoad } from './useLoad';
import { when } from './when';

// The chart library is loaded with the chart, not with the page's table.
const RemovalHistogram = lazy(() => import('./reporting/RemovalHistogram').then((m) => ({ default: m.RemovalHistogram })));

const hours = (h: number | null) => (h === null ? '–' : h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`);

/** One notice's status timeline. */
function Timeline({ id }: { id: number }) {
  const n = useLoad(() => api<NoticeDetail>(`/notices/${id}`), [id]);
  if (n.error) return <ErrorMessage error={n.error} />;
  if (!n.data) return <p>Loading the timeline…</p>;
  return (
    <section aria-label={`Timeline of notice ${id}`} className="timeline">
      <p>Legal basis: {n.data.legal_basis}</p>
      <ol>
        {n.data.events.map((e, i) => (
          <li key={i} data-event={e.kind}>
            <time dateTime={e.at}>{when(e.at)}</time> — {e.kind.replace(/_/g, ' ')}
            {e.detail && `: ${e.detail}`}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Takedown notices: re-sent until the host removes the content; each with its timeline. */
export function NoticesPage() {
  const notices = useLoad(() => api<{ notices: NoticeSummary[] }>('/notices'), []);
  const [open, setOpen] = useState<number | null>(null);
  return (
    <>
      <PageHeading title="Notices" />
      <p>Each notice is re-sent on schedule until the host confirms removal or a re-check shows the content gone.</p>
      <ErrorMessage error={notices.error} />
      {notices.data && notices.data.notices.length === 0 && <p>No notices yet.</p>}
      {notices.data && notices.data.notices.length > 0 && (
        <table className="notices">
          <caption className="sr-only">Notices</caption>
          <thead>
            <tr>
              <th scope="col">URL</th>
              <th scope="col">Host</th>
              <th scope="col">Status</th>
              <th scope="col">Sent</th>
              <th scope="col">First sent</th>
              <th scope="col">Time to removal</th>
              <th scope="col">
                <span className="sr-only">Timeline</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {notices.data.notices.map((n) => (
              <tr key={n.id} data-notice={n.id}>
                <th scope="row">
                  <code>{n.url}</code>
                </th>
                <td>{n.provider ?? `${n.host} (no provider)`}</td>
                <td>{n.status}</td>
                <td className="num">{n.sends}</td>
                <td>{when(n.first_sent_at)}</td>
                <td className="num">{hours(n.hours_to_removal)}</td>
                <td>
                  <button type="button" aria-expanded={open === n.id} onClick={() => setOpen(open === n.id ? null : n.id)}>
                    Timeline
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open !== null && <Timeline id={open} />}
      {notices.data && notices.data.notices.length > 0 && (
        <section aria-labelledby="removal-heading" className="charts">
          <h2 id="removal-heading">Removal times</h2>
          <Suspense fallback={<p role="status">Loading the chart…</p>}>
            <RemovalHistogram hours={notices.data.notices.flatMap((n) => (n.hours_to_removal === null ? [] : [n.hours_to_removal]))} />
          </Suspense>
        </section>
      )}
    </>
  );
}
