import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { Button } from '../ui/Button';
import { DataTable, type Column } from '../ui/DataTable';
import { Skeleton } from '../ui/Skeleton';
import { useToast } from '../ui/Toasts';

interface Version {
  id: number;
  version: number;
  title: string;
  body: string;
  status: string;
  author: string;
  reviewed_by: string | null;
}
interface Entry {
  context: string;
  audience: string;
  language: string;
  served: Version | null;
  pending: Version | null;
  shown_from: string;
  fallback: boolean;
  versions: number;
}

/** The awareness messages in one language: what is served, what falls back to English, drafts to review, a new version. */
export function MessagesSection() {
  const [language, setLanguage] = useState('en');
  const [shown, setShown] = useState('en');
  const list = useLoad(() => api<{ language: string; languages: string[]; entries: Entry[] }>(`/messages?language=${encodeURIComponent(shown)}`), [shown]);
  const { busy, error, run } = useAction();
  const toast = useToast();
  const [draft, setDraft] = useState<{ context: string; audience: string; title: string; body: string } | null>(null);

  const review = (id: number, decision: 'approve' | 'reject') =>
    void run(`The ${decision === 'approve' ? 'approval' : 'rejection'} was not saved`, async () => {
      await api(`/messages/${id}/review`, { json: { decision } });
      toast.success(decision === 'approve' ? 'Version approved: it is served now.' : 'Version rejected.');
      list.reload();
    });
  const write = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    void run('The new version was not saved', async () => {
      await api('/messages', { json: { ...draft, language: shown } });
      toast.success('New version saved: it is served once someone else approves it.');
      setDraft(null);
      list.reload();
    });
  };

  const columns: Array<Column<Entry>> = [
    { key: 'context', header: 'Context', sort: (e) => e.context, cell: (e) => e.context },
    { key: 'audience', header: 'Audience', sort: (e) => e.audience, cell: (e) => e.audience },
    {
      key: 'served',
      header: 'Served',
      sort: (e) => (e.served ? 1 : e.fallback ? 0 : 0.5),
      cell: (e) =>
        e.served ? (
          <>
            <strong>{e.served.title}</strong> <span className="tag">v{e.served.version}</span>
            <div className="muted">{e.served.body}</div>
          </>
        ) : e.fallback ? (
          <span className="tag warn" title="No approved version in this language: users see the English message">
            Not translated: falls back to English
          </span>
        ) : (
          <span className="tag">Not translated: shows the {e.shown_from} version</span>
        ),
    },
    {
      key: 'pending',
      header: 'Awaiting review',
      sort: (e) => (e.pending ? 1 : 0),
      cell: (e) =>
        e.pending && (
          <>
            <strong>{e.pending.title}</strong>{' '}
            <span className="tag">
              v{e.pending.version} by {e.pending.author}
            </span>
            <div className="muted">{e.pending.body}</div>
            <Button disabled={busy} onClick={() => review(e.pending!.id, 'approve')}>
              Approve v{e.pending.version}
            </Button>{' '}
            <Button disabled={busy} onClick={() => review(e.pending!.id, 'reject')}>
              Reject
            </Button>
          </>
        ),
    },
    {
      key: 'write',
      header: 'Actions',
      hiddenHeader: true,
      cell: (e) => (
        <Button onClick={() => setDraft({ context: e.context, audience: e.audience, title: e.served?.title ?? '', body: e.served?.body ?? '' })}>
          Write a version
        </Button>
      ),
    },
  ];

  return (
    <section aria-labelledby="messages-title">
      <h2 id="messages-title">Messages</h2>
      <p>
        Shown by the check API when a search or an upload is stopped, and on help pages. A version is served once someone other than its author approves it; a
        language without an approved version shows the English one.
      </p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setShown(language.trim() || 'en');
        }}
        className="row"
      >
        <label>
          Language <input value={language} onChange={(e) => setLanguage(e.target.value)} size={8} list="message-languages" />
        </label>
        <datalist id="message-languages">
          {list.data?.languages.map((l) => (
            <option key={l} value={l} />
          ))}
        </datalist>
        <Button type="submit" weight="primary">
          Show
        </Button>
      </form>
      <ErrorMessage error={list.error ?? error} />
      {list.loading && !list.data && <Skeleton label="Loading messages…" table={{ columns: 5 }} />}
      {list.data && (
        <DataTable
          caption={`Messages in ${list.data.language}`}
          label={`Messages in ${list.data.language}`}
          columns={columns}
          rows={list.data.entries}
          rowKey={(e) => `${e.context}/${e.audience}`}
          rowProps={(e) => ({ 'data-message': `${e.context}/${e.audience}` })}
        />
      )}
      {draft && (
        <form onSubmit={write} aria-label="New message version">
          <h3>
            New version: {draft.context}, {draft.audience}, {shown}
          </h3>
          <label>
            Title <input value={draft.title} onChange={(e) => setDraft({ ...draft, title: e.target.value })} maxLength={200} required />
          </label>
          <label>
            Text <textarea value={draft.body} onChange={(e) => setDraft({ ...draft, body: e.target.value })} maxLength={2000} rows={4} required />
          </label>
          <Button type="submit" weight="primary" disabled={busy}>
            Save for review
          </Button>{' '}
          <Button onClick={() => setDraft(null)}>Cancel</Button>
        </form>
      )}
    </section>
  );
}
