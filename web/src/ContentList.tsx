import { useEffect, useState, type FormEvent } from 'react';
import { api, bankPath } from './api';
import { ContentRow } from './ContentRow';
import { concerns, ErrorMessage, FieldError } from './ErrorMessage';
import type { Content, ContentPage } from './types';
import { Button } from './ui/Button';
import { Pager } from './ui/DataTable';
import { EmptyState } from './ui/EmptyState';
import { useConfirm } from './ui/Dialog';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';

const PAGE = 20;

type SearchBy = 'hash' | 'tag';

/** A bank's content, a page at a time (cursor paging on content id), or only what has a hash or a tag. */
export function ContentList({
  bank,
  total,
  version,
  write,
  onDeleted,
}: {
  bank: string;
  total: number;
  version: number;
  /** The role may write banks: each item has a Delete button. */
  write: boolean;
  onDeleted: () => void;
}) {
  const { ask, dialog } = useConfirm();
  const removing = useAction({ toastErrors: true });
  const toast = useToast();
  const remove = async (c: Content) => {
    const yes = await ask({
      title: `Delete content ${c.id}?`,
      body: (
        <p>
          Content {c.id} is deleted from bank {bank} with its {c.signals.length === 1 ? 'signal' : `${c.signals.length} signals`} (
          {c.signals.map((s) => s.signal_type).join(', ')}): it matches nothing again. Peers subscribed to {bank} see the deletion in its feed. To stop it
          matching for a while, disable it instead. This cannot be undone.
        </p>
      ),
      confirm: 'Delete the content',
      danger: true,
    });
    if (!yes) return;
    await removing.run(`Content ${c.id} was not deleted`, async () => {
      const r = await api<{ signals_removed: number }>(`/content/${c.id}`, { method: 'DELETE' });
      setItems((xs) => xs.filter((x) => x.id !== c.id));
      toast.success(`Content ${c.id} deleted from ${bank}, with ${r.signals_removed} ${r.signals_removed === 1 ? 'signal' : 'signals'}.`);
      onDeleted();
    });
  };
  /** The `after` cursor of every page seen so far; the last is the current page. */
  const [cursors, setCursors] = useState<number[]>([0]);
  const after = cursors[cursors.length - 1];
  const [by, setBy] = useState<SearchBy>('hash');
  const [text, setText] = useState('');
  /** The search applied (null: all content). */
  const [search, setSearch] = useState<{ by: SearchBy; value: string } | null>(null);
  const query = search ? `&${search.by}=${encodeURIComponent(search.value)}` : '';
  const page = useLoad(() => api<ContentPage>(`${bankPath(bank)}/content?limit=${PAGE}&after=${after}${query}`), [bank, after, version, query]);
  const find = (e: FormEvent) => {
    e.preventDefault();
    setCursors([0]);
    setSearch(text.trim() ? { by, value: text.trim() } : null);
  };
  const clear = () => {
    setText('');
    setCursors([0]);
    setSearch(null);
  };
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
      <form className="bank-search" role="search" aria-label="Search this bank" onSubmit={find}>
        <div className="field">
          <label htmlFor="bank-search-by">Search by</label>
          <select id="bank-search-by" value={by} onChange={(e) => setBy(e.target.value as SearchBy)}>
            <option value="hash">hash (a signal's value)</option>
            <option value="tag">tag</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="bank-search-text">{by === 'hash' ? 'Hash to find' : 'Tag to find'}</label>
          <input
            id="bank-search-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={by === 'hash' ? 20000 : 100}
            spellCheck={false}
            aria-invalid={concerns(page.error, `querystring/${by}`) || undefined}
            aria-describedby={concerns(page.error, `querystring/${by}`) ? 'bank-search-error' : undefined}
          />
          <FieldError error={page.error} field={`querystring/${search?.by ?? by}`} id="bank-search-error" />
        </div>
        <Button type="submit" weight="primary">
          Search
        </Button>{' '}
        {search && <Button onClick={clear}>Show all content</Button>}
      </form>
      <ErrorMessage error={page.error} beside={['querystring/hash', 'querystring/tag']} />
      <ErrorMessage error={removing.error} />
      {items.length === 0 ? (
        page.loading ? (
          <Skeleton label="Loading content…" table={{ columns: 6 }} />
        ) : (
          <EmptyState>
            {search
              ? `No content in this bank with the ${search.by} ${search.value}.`
              : total === 0
                ? 'No content yet: add some or import a file above.'
                : 'No content on this page.'}
          </EmptyState>
        )
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
              <ContentRow
                key={c.id}
                content={c}
                onChanged={(u) => setItems((xs) => xs.map((x) => (x.id === u.id ? u : x)))}
                onDelete={write ? (x) => void remove(x) : undefined}
              />
            ))}
          </tbody>
        </table>
      )}
      <Pager
        label="Content pages"
        rangeId="content-range"
        busy={page.loading}
        range={
          items.length
            ? search
              ? `Items ${first}–${first + items.length - 1} with the ${search.by} ${search.value}`
              : `Items ${first}–${first + items.length - 1} of ${total.toLocaleString('en')}`
            : ''
        }
        onPrevious={cursors.length > 1 ? () => setCursors((cs) => cs.slice(0, -1)) : undefined}
        onNext={
          next === null || next === undefined || items.length < PAGE || (!search && first + items.length > total)
            ? undefined
            : () => setCursors((cs) => [...cs, next])
        }
      />
      {dialog}
    </section>
  );
}
