import { MatchTable } from './MatchTable';
import type { LookupResult } from './types';
import { EmptyState } from './ui/EmptyState';

/** One signal's lookup: what matched, what was set aside and why, and the explanation lines. */
export function LookupResultView({ result: r }: { result: LookupResult }) {
  const found = r.matches.length + r.allow_listed.length + r.suppressed.length + r.not_counted.length;
  return (
    <section className="result" aria-label={`${r.signal_type} result`} data-signal-type={r.signal_type}>
      <h3>
        {r.signal_type} <span className="muted">(threshold {r.threshold})</span>
      </h3>
      {r.signal && r.signal.split('\n').length === 1 && (
        <p>
          Hash of the upload: <code className="hash">{r.signal}</code>
        </p>
      )}
      {found === 0 && <EmptyState>No match.</EmptyState>}
      <MatchTable caption="Matches" rows={r.matches} />
      <MatchTable caption="Allow-listed" rows={r.allow_listed} />
      <MatchTable
        caption="Suppressed"
        rows={r.suppressed}
        extra={{ title: 'Suppressed by', cell: (m) => `${m.suppressed_by.bank} content ${m.suppressed_by.content_id} (distance ${m.suppressed_by.distance})` }}
      />
      <MatchTable caption="Not counted" rows={r.not_counted} extra={{ title: 'Reason', cell: (m) => m.reason }} />
      <h4>Explanation</h4>
      <ul className="explanation">
        {r.explanation.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
    </section>
  );
}
