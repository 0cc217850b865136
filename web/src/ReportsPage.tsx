import { useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import type { Report } from './types';
import { useLoad } from './useLoad';
import { when } from './when';

/** Incident reports made here (out) and received from members (in), with routing and delivery. */
export function ReportsPage() {
  const [direction, setDirection] = useState<'out' | 'in'>('out');
  const reports = useLoad(() => api<{ reports: Report[] }>(`/reports?direction=${direction}`), [direction]);
  return (
    <>
      <PageHeading title="Incident reports" />
      <div role="group" aria-label="Direction" className="choice">
        <button type="button" aria-pressed={direction === 'out'} onClick={() => setDirection('out')}>
          Sent
        </button>
        <button type="button" aria-pressed={direction === 'in'} onClick={() => setDirection('in')}>
          Received
        </button>
      </div>
      <ErrorMessage error={reports.error} />
      {reports.data && reports.data.reports.length === 0 && (
        <p>{direction === 'out' ? 'No reports made on this node yet.' : 'No reports received from members yet.'}</p>
      )}
      {reports.data && reports.data.reports.length > 0 && (
        <table className="reports">
          <caption className="sr-only">{direction === 'out' ? 'Reports sent' : 'Reports received'}</caption>
          <thead>
            <tr>
              <th scope="col">Report</th>
              <th scope="col">Status</th>
              <th scope="col">Incident</th>
              <th scope="col">Country</th>
              <th scope="col">Kind</th>
              <th scope="col">{direction === 'out' ? 'Sent to' : 'From'}</th>
              <th scope="col">Delivery</th>
              <th scope="col">CyberTipline</th>
              <th scope="col">Finished</th>
            </tr>
          </thead>
          <tbody>
            {reports.data.reports.map((r) => (
              <tr key={r.id} data-report={r.uid}>
                <th scope="row">
                  {r.uid}
                  {r.prior_uid && <span className="muted"> (supplements {r.prior_uid})</span>}
                </th>
                <td>{r.status}</td>
                <td>{r.incident_type?.replace(/_/g, ' ') ?? '—'}</td>
                <td>
                  {r.country ?? 'unknown'}
                  {r.routing_basis && <span className="muted"> by {r.routing_basis}</span>}
                </td>
                <td>{r.kind ?? '–'}</td>
                <td>{direction === 'out' ? (r.destination === 'cybertipline' ? 'CyberTipline (NCMEC)' : (r.routed_to ?? 'kept here')) : r.from_member}</td>
                <td>{r.delivery ? `${r.delivery.state}${r.delivery.error ? `: ${r.delivery.error}` : ''}` : '–'}</td>
                <td>
                  {r.cybertipline
                    ? `${r.cybertipline.status}${r.cybertipline.report_id ? ` (${r.cybertipline.report_id})` : ''}${r.cybertipline.error ? `: ${r.cybertipline.error}` : ''}`
                    : '–'}
                </td>
                <td>{when(r.finished_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {reports.loading && !reports.data && <p>Loading reports…</p>}
    </>
  );
}
