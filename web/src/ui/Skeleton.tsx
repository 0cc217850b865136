/**
 * A loading placeholder in the shape of what is coming (grey bars, or a table's rows) instead of a
 * "Loading…" sentence; announced once to screen readers by its label.
 */
export function Skeleton({ label, lines = 3, table }: { label: string; lines?: number; table?: { columns: number } }) {
  return (
    <div className="skeleton" role="status" aria-live="polite" data-skeleton>
      <span className="sr-only">{label}</span>
      {table ? (
        <div className="skeleton-table" aria-hidden="true">
          {Array.from({ length: lines + 1 }, (_, r) => (
            <div key={r} className={r === 0 ? 'skeleton-row skeleton-head' : 'skeleton-row'}>
              {Array.from({ length: table.columns }, (_, c) => (
                <span key={c} className="skeleton-bar" />
              ))}
            </div>
          ))}
        </div>
      ) : (
        Array.from({ length: lines }, (_, i) => (
          <span key={i} className="skeleton-bar skeleton-line" aria-hidden="true" style={{ width: `${90 - ((i * 17) % 40)}%` }} />
        ))
      )}
    </div>
  );
}
