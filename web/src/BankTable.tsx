import { bankPath } from './api';
import { Link } from './Link';
import { SignalCounts } from './SignalCounts';
import type { Bank } from './types';

/** The banks, one row each. */
export function BankTable({ banks }: { banks: Bank[] }) {
  if (!banks.length) return <p>No banks yet: create one below.</p>;
  return (
    <table className="banks">
      <caption className="sr-only">Banks</caption>
      <thead>
        <tr>
          <th scope="col">Name</th>
          <th scope="col">Kind</th>
          <th scope="col">Matching</th>
          <th scope="col">Content</th>
          <th scope="col">Signals</th>
          <th scope="col">Description</th>
        </tr>
      </thead>
      <tbody>
        {banks.map((b) => (
          <tr key={b.name} data-bank={b.name}>
            <th scope="row">
              <Link href={bankPath(b.name)}>{b.name}</Link>
            </th>
            <td>{b.kind === 'negative' ? 'negative (allow-list)' : 'positive'}</td>
            <td className={b.matching_enabled ? 'on' : 'off'}>
              {b.matching_enabled ? 'on' : 'off'}
              {b.matching_enabled && b.enabled_ratio < 1 ? ` (${Math.round(b.enabled_ratio * 100)}%)` : ''}
            </td>
            <td className="num">{b.content_count.toLocaleString('en')}</td>
            <td>
              <SignalCounts counts={b.signal_counts} />
            </td>
            <td>{b.description}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
