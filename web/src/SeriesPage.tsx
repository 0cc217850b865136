import { useState, type FormEvent } from 'react';
import { Button } from './ui/Button';
import { DataTable, type Column } from './ui/DataTable';
import { closing, useConfirm } from './ui/Dialog';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import { useAction } from './useAction';
import type { Series } from './types';
import { useLoad } from './useLoad';
import { when } from './when';

const STATUSES = ['unidentified', 'victim_identified', 'offender_identified', 'closed'] as const;
const words = (s: string) => s.replace(/_/g, ' ');

/** The series registry: search, open a series, move its status forward. */
export function SeriesPage() {
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  const [status, setStatus] = useState('');
  const list = useLoad(
    () => api<{ series: Series[] }>(`/series?${new URLSearchParams({ ...(query ? { q: query } : {}), ...(status ? { status } : {}) })}`),
    [query, status],
  );
  const { busy, error, run } = useAction({ toastErrors: true });
  const toast = useToast();
  const [name, setName] = useState('');

  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(text.trim());
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run('The series was not opened', async () => {
      await api('/series', { json: { name } });
      toast.success(`Series ${name} opened.`);
      setName((now) => (now === name ? '' : now)); // keep what was typed meanwhile
      list.reload();
    });
  };
  const { ask, dialog } = useConfirm();
  const move = async (s: Series, to: Series['status']) => {
    if (to === 'closed' && !(await ask(closing(s.name)))) return;
    await run(`Series ${s.name} was not changed`, async () => {
      await api(`/series/${s.id}`, { method: 'PATCH', json: { status: to } });
      toast.success(to === 'closed' ? `Series ${s.name} closed.` : `Series ${s.name}: ${words(to)}.`);
      list.reload();
    });
  };

  const columns: Array<Column<Series>> = [
    {
      key: 'name',
      header: 'Series',
      rowHeader: true,
      sort: (s) => s.name,
      cell: (s) => (
        <>
          <Link href={`/series/${s.id}`}>{s.name}</Link> <small className="muted">{s.uid}</small>
        </>
      ),
    },
    {
      key: 'owner',
      header: 'Owner',
      sort: (s) => s.owner.member,
      cell: (s) => (
        <>
          {s.owner.member}
          {s.owner.country && ` (${s.owner.country})`}
          {s.owner.contact_point && <div className="muted">{s.owner.contact_point}</div>}
        </>
      ),
    },
    { key: 'status', header: 'Status', sort: (s) => s.status, cell: (s) => words(s.status) },
    { key: 'victims', header: 'Victims identified', numeric: true, sort: (s) => s.victims_identified ?? 0, cell: (s) => s.victims_identified ?? 0 },
    { key: 'contents', header: 'Contents', numeric: true, sort: (s) => s.contents ?? 0, cell: (s) => s.contents ?? 0 },
    { key: 'opened', header: 'Opened', sort: (s) => s.opened_at, cell: (s) => when(s.opened_at) },
    {
      key: 'change',
      header: 'Change status',
      hiddenHeader: true,
      cell: (s) =>
        s.own &&
        s.status !== 'closed' && (
          <>
            {s.status !== 'offender_identified' && (
              <Button disabled={busy} onClick={() => void move(s, 'offender_identified')}>
                Offender identified
              </Button>
            )}{' '}
            <Button weight="danger" disabled={busy} onClick={() => void move(s, 'closed')}>
              Close
            </Button>
          </>
        ),
    },
  ];

  return (
    <>
      <PageHeading title="Series" />
      <p>Material from one abuse situation, owned by one member. Identified victims are recorded pseudonymously through the API; their status follows.</p>
      <form onSubmit={search} role="search" className="choice">
        <label>
          Search series <input value={text} onChange={(e) => setText(e.target.value)} />
        </label>{' '}
        <label>
          Status{' '}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {words(s)}
              </option>
            ))}
          </select>
        </label>{' '}
        <Button type="submit">Search</Button>
      </form>
      <ErrorMessage error={list.error ?? error} />
      {list.loading && !list.data && <Skeleton label="Loading series…" table={{ columns: 7 }} />}
      {list.data && (
        <DataTable
          caption="Series"
          className="series"
          columns={columns}
          rows={list.data.series}
          rowKey={(s) => s.uid}
          rowProps={(s) => ({ 'data-series': s.uid })}
          pageSize={25}
          empty={`No series${query || status ? ' found' : ' yet'}.`}
        />
      )}
      <form onSubmit={create} className="rule-form" aria-label="New series">
        <h2>Open a series</h2>
        <label>
          Series name <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <Button type="submit" weight="primary" disabled={busy}>
          Open series
        </Button>
      </form>
      {dialog}
    </>
  );
}
