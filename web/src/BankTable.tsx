import { bankPath } from './api';
import { Link } from './Link';
import { SignalCounts } from './SignalCounts';
import type { Bank } from './types';
import { DataTable, type Column } from './ui/DataTable';

const COLUMNS: ReadonlyArray<Column<Bank>> = [
  { key: 'name', header: 'Name', rowHeader: true, sort: (b) => b.name, cell: (b) => <Link href={bankPath(b.name)}>{b.name}</Link> },
  { key: 'kind', header: 'Kind', sort: (b) => b.kind, cell: (b) => (b.kind === 'negative' ? 'negative (allow-list)' : 'positive') },
  {
    key: 'matching',
    header: 'Matching',
    sort: (b) => (b.matching_enabled ? b.enabled_ratio : -1),
    cell: (b) => (
      <span className={b.matching_enabled ? 'on' : 'off'}>
        {b.matching_enabled ? 'on' : 'off'}
        {b.matching_enabled && b.enabled_ratio < 1 ? ` (${Math.round(b.enabled_ratio * 100)}%)` : ''}
      </span>
    ),
  },
  { key: 'content', header: 'Content', numeric: true, sort: (b) => b.content_count, cell: (b) => b.content_count.toLocaleString('en') },
  { key: 'signals', header: 'Signals', cell: (b) => <SignalCounts counts={b.signal_counts} /> },
  { key: 'description', header: 'Description', cell: (b) => b.description },
];

/** The banks, one row each, sortable by name, kind, matching and size. */
export function BankTable({ banks }: { banks: Bank[] }) {
  return (
    <DataTable
      caption="Banks"
      className="banks"
      columns={COLUMNS}
      rows={banks}
      rowKey={(b) => b.name}
      rowProps={(b) => ({ 'data-bank': b.name })}
      pageSize={50}
      empty="No banks yet: create one below."
    />
  );
}
