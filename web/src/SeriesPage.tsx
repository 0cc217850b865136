import { useState, type FormEvent } from 'react';
import { closing, useConfirm } from './ui/ConfirmDialog';
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
  const { busy, error, run } = useAction();
  const [name, setName] = useState('');

  const search = (e: FormEvent) => {
    e.preventDefault();
    setQuery(text.trim());
  };
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run('The series was not opened', async () => {
      await api('/series', { json: { name } });
      setName((now) => (now === name ? '' : now)); // keep what was typed meanwhile
      list.reload();
    });
  };
  const { ask, dialog } = useConfirm();
  const move = async (s: Series, to: Series['status']) => {
    if (to === 'closed' && !(await ask(closing(s.name)))) return;
    await run(`Series ${s.name} was not changed`, async () => {
      await api(`/series/${s.id}`, { method: 'PATCH', json: { status: to } });
      list.reload();
    });
  };

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
        <button type="submit">Search</button>
      </form>
      <ErrorMessage error={list.error ?? error} />
      {list.data && list.data.series.length === 0 && <p>No series{query || status ? ' found' : ' yet'}.</p>}
      {list.data && list.data.series.length > 0 && (
        <table className="series">
          <caption className="sr-only">Series</caption>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col">Owner</th>
              <th scope="col">Status</th>
              <th scope="col">Victims identified</th>
              <th scope="col">Contents</th>
              <th scope="col">Opened</th>
              <th scope="col">
                <span className="sr-only">Change status</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.data.series.map((s) => (
              <tr key={s.uid} data-series={s.uid}>
                <th scope="row">
                  <Link href={`/series/${s.id}`}>{s.name}</Link> <small className="muted">{s.uid}</small>
                </th>
                <td>
                  {s.owner.member}
                  {s.owner.country && ` (${s.owner.country})`}
                  {s.owner.contact_point && <div className="muted">{s.owner.contact_point}</div>}
                </td>
                <td>{words(s.status)}</td>
                <td className="num">{s.victims_identified ?? 0}</td>
                <td className="num">{s.contents ?? 0}</td>
                <td>{when(s.opened_at)}</td>
                <td>
                  {s.own && s.status !== 'closed' && (
                    <>
                      {s.status !== 'offender_identified' && (
                        <button type="button" disabled={busy} onClick={() => void move(s, 'offender_identified')}>
                          Offender identified
                        </button>
                      )}{' '}
                      <button type="button" disabled={busy} onClick={() => void move(s, 'closed')}>
                        Close
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} className="rule-form" aria-label="New series">
        <h2>Open a series</h2>
        <label>
          Series name <input required maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <button type="submit" disabled={busy}>
          Open series
        </button>
      </form>
      {dialog}
    </>
  );
}
