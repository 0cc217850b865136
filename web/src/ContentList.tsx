import { useEffect, useState } from 'react';
import { api, bankPath } from './api';
import { ContentRow } from './ContentRow';
import { ErrorMessage } from './ErrorMessage';
import type { Content, ContentPage } from './types';
import { useLoad } from './useLoad';

const PAGE = 20;

/** A bank's content, a page at a time (cursor paging on content id). */
export function ContentList({ bank, total, version }: { bank: string; total: number; version: number }) {
  /** The `after` cursor of every page seen so far; the last is the current page. */
  const [cursors, setCursors] = useState<number[]>([0]);
  const after = cursors[cursors.length - 1];
  const page = useLoad(() => api<ContentPage>(`${bankPath(bank)}/content?limit=${PAGE}&after=${after}`), [bank, after, version]);
  const [items, setItems] = useState<Content[]>([]);
  /** The position of the items shown (it changes with them, not when the next page is asked for). */
  const [first, setFirst] = useState(1);
  useEffect(() => {
    if (!page.data) return;
    setItems(page.data.content);
    setFirst((cursors.length - 1) * PAGE + 1);
  }, [page.data]);

  const next = page.data?.next_after;
  return (
    <section aria-labelledby="content-heading">
      <h2 id="content-heading">Content</h2>
      <ErrorMessage error={page.error} />
      {items.length === 0 ? (
        <p>{page.loading ? 'Loading content…' : 'No content on this page.'}</p>
      ) : (
        <table className="content" aria-describedby="content-range">
          <thead>
            <tr>
              <th scope="col">ID</th>
              <th scope="col">Signals</th>
              <th scope="col">Classification</th>
              <th scope="col">Tags and note</th>
              <th scope="col">Status</th>
              <th scope="col">Action</th>
            </tr>
          </thead>
          <tbody>
            {items.map((c) => (
              <ContentRow key={c.id} content={c} onChanged={(u) => setItems((xs) => xs.map((x) => (x.id === u.id ? u : x)))} />
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Content pages">
        <button type="button" disabled={cursors.length === 1 || page.loading} onClick={() => setCursors((cs) => cs.slice(0, -1))}>
          Previous page
        </button>
        <span id="content-range">{items.length ? `Items ${first}–${first + items.length - 1} of ${total.toLocaleString('en')}` : ''}</span>
        <button
          type="button"
          disabled={page.loading || next === null || next === undefined || items.length < PAGE || first + items.length > total}
          onClick={() => next && setCursors((cs) => [...cs, next])}
        >
          Next page
        </button>
      </nav>
    </section>
  );
}
