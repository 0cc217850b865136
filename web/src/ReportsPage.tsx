import { useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import type { Report } from './types';
import { DataTable, type Column } from './ui/DataTable';
import { Skeleton } from './ui/Skeleton';
import { Tabs } from './ui/Tabs';
import { useLoad } from './useLoad';
import { when } from './when';

const deliveryText = (r: Report) => (r.delivery ? `${r.delivery.state}${r.delivery.error ? `: ${r.delivery.error}` : ''}` : '–');
const cybertiplineText = (r: Report) =>
  r.cybertipline
    ? `${r.cybertipline.status}${r.cybertipline.report_id ? ` (${r.cybertipline.report_id})` : ''}${r.cybertipline.error ? `: ${r.cybertipline.error}` : ''}`
    : '–';

/** Incident reports made here (out) and received from members (in), with routing and delivery. */
export function ReportsPage() {
  const [direction, setDirection] = useState<'out' | 'in'>('out');
  const reports = useLoad(() => api<{ reports: Report[] }>(`/reports?direction=${direction}`), [direction]);
  const columns: Array<Column<Report>> = [
    {
      key: 'uid',
      header: 'Report',
      rowHeader: true,
      sort: (r) => r.id,
      cell: (r) => (
        <>
          {r.uid}
          {r.prior_uid && <span className="muted"> (supplements {r.prior_uid})</span>}
        </>
      ),
    },
    { key: 'status', header: 'Status', sort: (r) => r.status, cell: (r) => r.status },
    { key: 'incident', header: 'Incident', sort: (r) => r.incident_type, cell: (r) => r.incident_type?.replace(/_/g, ' ') ?? '—' },
    {
      key: 'country',
      header: 'Country',
      sort: (r) => r.country,
      cell: (r) => (
        <>
          {r.country ?? 'unknown'}
          {r.routing_basis && <span className="muted"> by {r.routing_basis}</span>}
        </>
      ),
    },
    { key: 'kind', header: 'Kind', sort: (r) => r.kind, cell: (r) => r.kind ?? '–' },
    {
      key: 'to',
      header: direction === 'out' ? 'Sent to' : 'From',
      cell: (r) => (direction === 'out' ? (r.destination === 'cybertipline' ? 'CyberTipline (NCMEC)' : (r.routed_to ?? 'kept here')) : r.from_member),
    },
    { key: 'delivery', header: 'Delivery', sort: deliveryText, cell: deliveryText },
    { key: 'cybertipline', header: 'CyberTipline', cell: cybertiplineText },
    { key: 'finished', header: 'Finished', sort: (r) => r.finished_at, cell: (r) => when(r.finished_at) },
  ];
  return (
    <>
      <PageHeading title="Incident reports" />
      <Tabs
        label="Direction"
        selected={direction}
        onSelect={setDirection}
        tabs={[
          { id: 'out', label: 'Sent' },
          { id: 'in', label: 'Received' },
        ]}
      >
        <ErrorMessage error={reports.error} />
        {reports.loading && !reports.data && <Skeleton label="Loading reports…" table={{ columns: 9 }} />}
        {reports.data && (
          <DataTable
            key={direction}
            caption={direction === 'out' ? 'Reports sent' : 'Reports received'}
            className="reports"
            columns={columns}
            rows={reports.data.reports}
            rowKey={(r) => r.id}
            rowProps={(r) => ({ 'data-report': r.uid })}
            pageSize={25}
            empty={direction === 'out' ? 'No reports made on this node yet.' : 'No reports received from members yet.'}
          />
        )}
      </Tabs>
    </>
  );
}
