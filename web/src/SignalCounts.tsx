const ORDER = ['pdq', 'vpdq', 'md5', 'sha1', 'sha256'];
const rank = (t: string) => (ORDER.includes(t) ? ORDER.indexOf(t) : ORDER.length);

/** Counts per signal type, e.g. "pdq 42 vpdq 4" (or "none"). */
export function SignalCounts({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
  if (!entries.length) return <span className="muted">none</span>;
  return (
    <ul className="counts">
      {entries.map(([type, n]) => (
        <li key={type}>
          <span className="type">{type}</span> {n.toLocaleString('en')}{' '}
        </li>
      ))}
    </ul>
  );
}
