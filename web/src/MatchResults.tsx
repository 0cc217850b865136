import { LookupResultView } from './LookupResultView';
import type { LookupResult } from './types';

function summary(results: LookupResult[]): string {
  const matches = results.flatMap((r) => r.matches);
  const suppressed = results.reduce((n, r) => n + r.suppressed.length, 0);
  const allowed = results.reduce((n, r) => n + r.allow_listed.length, 0);
  const banks = [...new Set(matches.map((m) => m.bank))];
  const parts = [matches.length ? `${matches.length} ${matches.length === 1 ? 'match' : 'matches'} in ${banks.join(', ')}` : 'No match'];
  if (allowed) parts.push(`allow-listed in ${[...new Set(results.flatMap((r) => r.allow_listed.map((m) => m.bank)))].join(', ')}`);
  if (suppressed) parts.push(`${suppressed} suppressed`);
  return `${parts.join('; ')}.`;
}

/** The results of a lookup (one per signal type for an upload). */
export function MatchResults({ results, media }: { results: LookupResult[]; media?: string }) {
  return (
    <section className="results" aria-labelledby="results-heading">
      <h2 id="results-heading">Results</h2>
      <p className="summary" role="status">
        {media ? `Hashed as ${media}. ` : ''}
        {summary(results)}
      </p>
      {results.map((r) => (
        <LookupResultView key={r.signal_type} result={r} />
      ))}
    </section>
  );
}
