import { bankPath } from './api';
import { classificationText } from './classifications';
import { Link } from './Link';
import type { Match } from './types';

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

/** Matches of one kind (counted, allow-listed, suppressed, not counted), with an optional extra column. */
export function MatchTable<M extends Match>({ caption, rows, extra }: { caption: string; rows: M[]; extra?: { title: string; cell: (m: M) => string } }) {
  if (!rows.length) return null;
  return (
    <table className="matches">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Bank</th>
          <th scope="col">Content ID</th>
          <th scope="col">Distance or match</th>
          <th scope="col">Classification</th>
          <th scope="col">Tags</th>
          <th scope="col">From</th>
          {extra && <th scope="col">{extra.title}</th>}
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={`${m.bank}:${m.signal_id}`}>
            <td>
              <Link href={bankPath(m.bank)}>{m.bank}</Link>
              {m.bank_kind === 'negative' && <span className="muted"> (allow-list)</span>}
            </td>
            <td className="num">{m.content_id}</td>
            <td className="num">{closeness(m)}</td>
            <td>{classificationText(m.classification)}</td>
            <td>{m.tags.join(', ')}</td>
            <td className="provenance">{from(m)}</td>
            {extra && <td>{extra.cell(m)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
