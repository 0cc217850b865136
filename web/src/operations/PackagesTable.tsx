import type { LeadPackage } from '../../../src/api/contract/index.js';
import { Button, DataTable, type Column } from '../ui';
import { when } from '../when';
import { words } from './shared';

/** Where a package stands: its delivery. */
function delivery(p: LeadPackage): string {
  return p.state === 'queued'
    ? `queued${p.attempts ? ` (attempt ${p.attempts}${p.last_error ? `; last error: ${p.last_error}` : ''})` : ''}`
    : p.state === 'delivered'
      ? `delivered ${when(p.delivered_at)}`
      : p.state === 'waiting'
        ? `waiting: ${p.explanation}`
        : 'built, not sent';
}

/**
 * Lead packages as sent — an operation's, or the ones a received package's targets were forwarded
 * in: each one's receiver, delivery and receipt, what the receiver said, and the outcomes per
 * target (with the chain they came back through). `onResend`: a queued package that failed can be
 * sent again; `handling`: the restrictions column.
 */
export function PackagesTable({
  caption,
  packages,
  handling = false,
  busy = false,
  onResend,
}: {
  caption: string;
  packages: readonly LeadPackage[];
  handling?: boolean;
  busy?: boolean;
  onResend?: (p: LeadPackage) => void;
}) {
  const columns: Array<Column<LeadPackage> | false> = [
    {
      key: 'package',
      header: 'Package',
      rowHeader: true,
      className: 'ids',
      sort: (p) => p.id,
      cell: (p) => (
        <>
          #{p.id} <small className="muted">{p.uid}</small>
          {p.prior_uid && <div className="muted">supplements {p.prior_uid}</div>}
        </>
      ),
    },
    { key: 'country', header: 'Country', sort: (p) => p.country, cell: (p) => p.country },
    { key: 'receiver', header: 'Receiver', sort: (p) => p.peer, cell: (p) => p.peer ?? 'none yet' },
    { key: 'targets', header: 'Targets', numeric: true, sort: (p) => p.targets, cell: (p) => p.targets.toLocaleString('en') },
    handling && { key: 'handling', header: 'Handling', className: 'ids', cell: (p) => (p.handling.length ? p.handling.join('; ') : 'none') },
    {
      key: 'delivery',
      header: 'Delivery',
      className: 'ids',
      sort: (p) => p.state,
      cell: (p) => {
        const receipt = p.receipt as { received_at?: string; received?: boolean } | null;
        return (
          <>
            {delivery(p)}
            {receipt?.received && <div className="muted">receipt: received{receipt.received_at ? ` ${when(receipt.received_at)}` : ''}</div>}
            {onResend && p.state === 'queued' && p.last_error && (
              <div>
                <Button disabled={busy} onClick={() => onResend(p)}>
                  Send again<span className="sr-only"> package {p.id}</span>
                </Button>
              </div>
            )}
          </>
        );
      },
    },
    {
      key: 'status',
      header: "Receiver's status",
      sort: (p) => p.status,
      cell: (p) => (
        <>
          {p.status ? words(p.status) : '—'}
          {p.reason && <div>reason: {p.reason}</div>}
          {p.assignee && <div>assigned to {p.assignee}</div>}
          {p.acknowledged_at && <div className="muted">acknowledged {when(p.acknowledged_at)}</div>}
          {p.accepted_at && <div className="muted">accepted {when(p.accepted_at)}</div>}
        </>
      ),
    },
    { key: 'outcomes', header: 'Outcomes', className: 'ids', cell: (p) => <Outcomes outcomes={p.outcomes} /> },
  ];
  return (
    <DataTable
      caption={caption}
      showCaption
      className="op-packages"
      columns={columns.filter((c): c is Column<LeadPackage> => c !== false)}
      rows={packages}
      rowKey={(p) => p.uid}
      rowProps={(p) => ({ 'data-package': p.country, 'data-state': p.state })}
    />
  );
}

/** The outcomes recorded per target, each with its count and the chain it came back through. */
export function Outcomes({ outcomes }: { outcomes: LeadPackage['outcomes'] }) {
  const entries = Object.entries(outcomes);
  if (entries.length === 0) return <>none yet</>;
  return (
    <ul className="reasons">
      {entries.map(([ref, os]) => (
        <li key={ref}>
          {ref}: {os.map((o) => `${words(o.outcome)}${o.count !== null ? ` (${o.count})` : ''}${o.via.length ? ` via ${o.via.join(' ← ')}` : ''}`).join(', ')}
        </li>
      ))}
    </ul>
  );
}
