import { bankPath } from './api';
import { classificationText } from './classifications';
import { Link } from './Link';
import type { Match } from './types';

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
          <th scope="col">Distance</th>
          <th scope="col">Classification</th>
          <th scope="col">Tags</th>
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
            <td className="num">{m.distance}</td>
            <td>{classificationText(m.classification)}</td>
            <td>{m.tags.join(', ')}</td>
            {extra && <td>{extra.cell(m)}</td>}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
