import { useMemo, useState, type ReactNode } from 'react';
import { EmptyState } from './EmptyState';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** The value the column sorts by; a column without one does not sort. */
  sort?: (row: T) => number | string | null | undefined;
  /** Numbers: right-aligned, tabular figures (and sorted as numbers). */
  numeric?: boolean;
  /** The row's name: a <th scope="row">. */
  rowHeader?: boolean;
  /** A header for screen readers only (a column of buttons). */
  hiddenHeader?: boolean;
  className?: string;
}

type Dir = 'ascending' | 'descending';

const compare = (a: number | string | null | undefined, b: number | string | null | undefined): number => {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1; // the unknown last, either way round
  if (b === null || b === undefined || b === '') return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b), 'en', { numeric: true });
};

/**
 * A table of rows: headers that sort (click one: ascending, again: descending; aria-sort says
 * which), numeric columns aligned right with tabular figures, a page at a time when there are more
 * rows than `pageSize` (a pager under it), and an EmptyState instead of an empty grid.
 */
export function DataTable<T>({
  caption,
  showCaption = false,
  columns,
  rows,
  rowKey,
  rowProps,
  pageSize,
  empty,
  className,
  label,
}: {
  caption: string;
  /** Shown above the table (otherwise for screen readers only). */
  showCaption?: boolean;
  columns: ReadonlyArray<Column<T>>;
  rows: readonly T[];
  rowKey: (row: T) => string | number;
  /** Attributes of a row (data-* for tests and styles, className). */
  rowProps?: (row: T) => Record<string, string | number | undefined>;
  pageSize?: number;
  /** What to say when there is no row (default: "Nothing to show."). */
  empty?: ReactNode;
  className?: string;
  /** The table's accessible name when the caption is not it. */
  label?: string;
}) {
  const [sort, setSort] = useState<{ key: string; dir: Dir } | null>(null);
  const [page, setPage] = useState(0);
  const sorted = useMemo(() => {
    const col = sort && columns.find((c) => c.key === sort.key);
    if (!col?.sort) return rows;
    const by = col.sort;
    const out = [...rows].sort((a, b) => compare(by(a), by(b)));
    // Unknown values stay last when descending too.
    if (sort?.dir === 'descending') {
      const known = out.filter((r) => by(r) !== null && by(r) !== undefined && by(r) !== '').reverse();
      return [...known, ...out.filter((r) => by(r) === null || by(r) === undefined || by(r) === '')];
    }
    return out;
  }, [rows, sort, columns]);
  if (rows.length === 0) return <EmptyState>{empty ?? 'Nothing to show.'}</EmptyState>;
  const pages = pageSize ? Math.max(1, Math.ceil(sorted.length / pageSize)) : 1;
  const at = Math.min(page, pages - 1);
  const shown = pageSize ? sorted.slice(at * pageSize, (at + 1) * pageSize) : sorted;
  const toggle = (key: string) => {
    setSort((s) => (s?.key === key ? { key, dir: s.dir === 'ascending' ? 'descending' : 'ascending' } : { key, dir: 'ascending' }));
    setPage(0);
  };
  return (
    <>
      <table className={['data-table', className].filter(Boolean).join(' ')} aria-label={label}>
        <caption className={showCaption ? undefined : 'sr-only'}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort?.key === c.key ? sort.dir : undefined;
              return (
                <th key={c.key} scope="col" className={c.numeric ? 'num' : undefined} aria-sort={dir}>
                  {c.sort ? (
                    <button type="button" className="sort" onClick={() => toggle(c.key)} data-sorted={dir}>
                      {c.hiddenHeader ? <span className="sr-only">{c.header}</span> : c.header}
                      <span className="sort-mark" aria-hidden="true">
                        {dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ' ↕'}
                      </span>
                    </button>
                  ) : c.hiddenHeader ? (
                    <span className="sr-only">{c.header}</span>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={rowKey(r)} {...(rowProps?.(r) ?? {})}>
              {columns.map((c) => {
                const cls = [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ') || undefined;
                return c.rowHeader ? (
                  <th key={c.key} scope="row" className={cls} data-col={c.key}>
                    {c.cell(r)}
                  </th>
                ) : (
                  <td key={c.key} className={cls} data-col={c.key}>
                    {c.cell(r)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {pages > 1 && (
        <Pager
          label={`${caption}: pages`}
          range={`Rows ${(at * pageSize! + 1).toLocaleString('en')}–${(at * pageSize! + shown.length).toLocaleString('en')} of ${sorted.length.toLocaleString('en')} · page ${at + 1} of ${pages}`}
          onPrevious={at > 0 ? () => setPage(at - 1) : undefined}
          onNext={at < pages - 1 ? () => setPage(at + 1) : undefined}
        />
      )}
    </>
  );
}

/** Previous / where we are / Next, under a list shown a page at a time (here, or by the server's paging). */
export function Pager({
  label,
  range,
  rangeId,
  onPrevious,
  onNext,
  busy = false,
}: {
  label: string;
  range: ReactNode;
  rangeId?: string;
  /** Absent: there is no page before. */
  onPrevious?: () => void;
  onNext?: () => void;
  busy?: boolean;
}) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="btn btn-secondary" disabled={!onPrevious || busy} onClick={onPrevious}>
        Previous page
      </button>
      <span id={rangeId} className="pager-range">
        {range}
      </span>
      <button type="button" className="btn btn-secondary" disabled={!onNext || busy} onClick={onNext}>
        Next page
      </button>
    </nav>
  );
}
