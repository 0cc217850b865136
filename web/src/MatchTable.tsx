import { bankPath } from './api';
import { classificationText } from './classifications';
import { Link } from './Link';
import type { Match } from './types';
import { DataTable, type Column } from './ui/DataTable';

/** Where a match's content comes from: origin member and bank, and the members that passed it on. */
function from(m: Match): string {
  const p = m.provenance;
  if (!p) return '';
  const via = p.chain.length > 1 ? ` via ${p.chain.join(' → ')}` : '';
  return `${p.origin_member}/${p.origin_bank}${via}, first seen ${p.first_seen.slice(0, 10)}`;
}

/** How close: frame matches (vPDQ) as the share of frames that match, every other type as its distance. */
export function closeness(m: Pick<Match, 'distance' | 'detail'>): string {
  const q = m.detail?.queryMatchPercent;
  if (q === undefined) return String(m.distance);
  const c = m.detail?.comparedMatchPercent;
  return `${q.toFixed(0)}% of frames match${c === undefined ? '' : ` (${c.toFixed(0)}% of the bank's)`}`;
}

/** Matches of one kind (counted, allow-listed, suppressed, not counted), with an optional extra column; sortable, closest first by default order. */
export function MatchTable<M extends Match>({ caption, rows, extra }: { caption: string; rows: M[]; extra?: { title: string; cell: (m: M) => string } }) {
  if (!rows.length) return null;
  const columns: Array<Column<M>> = [
    {
      key: 'bank',
      header: 'Bank',
      sort: (m) => m.bank,
      cell: (m) => (
        <>
          <Link href={bankPath(m.bank)}>{m.bank}</Link>
          {m.bank_kind === 'negative' && <span className="muted"> (allow-list)</span>}
        </>
      ),
    },
    { key: 'content', header: 'Content ID', numeric: true, sort: (m) => m.content_id, cell: (m) => m.content_id },
    // Frame matches sort by the share of frames (higher is closer), others by distance.
    { key: 'distance', header: 'Distance or match', numeric: true, sort: (m) => m.detail?.queryMatchPercent ?? m.distance, cell: closeness },
    { key: 'classification', header: 'Classification', sort: (m) => classificationText(m.classification), cell: (m) => classificationText(m.classification) },
    { key: 'tags', header: 'Tags', cell: (m) => m.tags.join(', ') },
    { key: 'from', header: 'From', className: 'provenance', cell: from },
    ...(extra ? [{ key: 'extra', header: extra.title, cell: extra.cell }] : []),
  ];
  return <DataTable caption={caption} showCaption className="matches" columns={columns} rows={rows} rowKey={(m) => `${m.bank}:${m.signal_id}`} pageSize={25} />;
}
