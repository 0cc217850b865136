import { useState, type FormEvent } from 'react';
import { api, bankPath } from './api';
import { concerns, ErrorMessage, FieldError } from './ErrorMessage';
import { Link } from './Link';
import { Notice } from './Notice';
import { PageHeading } from './PageHeading';
import type { FieldSentences } from './problems';
import type { Subscription } from './types';
import { DataTable, type Column } from './ui/DataTable';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';

import { when } from './when';
import { Button } from './ui/Button';

/** What the API's refusals of the subscription form's fields mean (problems.ts). */
const FIELDS: FieldSentences = {
  'body/peer': { label: 'peer' },
  'body/bank': { label: "peer's bank", invalid: 'A bank name uses capital letters, digits and underscores, e.g. HOTLINE_2026.' },
  'body/into': { label: 'local bank', invalid: 'A bank name uses capital letters, digits and underscores, e.g. HOTLINE_2026.' },
};

/** Subscribes to a peer's bank: the peer (of the registered ones), its bank, and optionally the local bank to receive into. */
function SubscribeForm({ onSubscribed }: { onSubscribed: (s: Subscription) => void }) {
  const peers = useLoad(() => api<{ peers: Array<{ name: string; country: string | null }> }>('/peers'), []);
  const [peer, setPeer] = useState('');
  const [bank, setBank] = useState('');
  const [into, setInto] = useState('');
  const { busy, error, run } = useAction();
  const chosen = peer || peers.data?.peers[0]?.name || '';
  // The service's refusals (SUBSCRIPTION_EXISTS, PEER_NOT_FOUND) concern the peer's bank or the peer.
  const problem =
    error && !error.field && error.code === 'SUBSCRIPTION_EXISTS'
      ? { ...error, field: 'body/bank', label: "peer's bank" }
      : error && !error.field && error.code === 'PEER_NOT_FOUND'
        ? { ...error, field: 'body/peer', label: 'peer' }
        : error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(
      'The subscription was not created',
      async () => {
        const s = await api<Subscription>('/subscriptions', { json: { peer: chosen, bank: bank.trim(), ...(into.trim() ? { into: into.trim() } : {}) } });
        setBank('');
        setInto('');
        onSubscribed(s);
      },
      FIELDS,
    );
  };
  const field = (f: string, id: string) => ({
    'aria-invalid': concerns(problem, f) || undefined,
    'aria-describedby': concerns(problem, f) ? id : undefined,
  });
  return (
    <form className="card" onSubmit={submit} aria-labelledby="subscribe-heading">
      <h2 id="subscribe-heading">Subscribe to a peer's bank</h2>
      <ErrorMessage error={peers.error} />
      {peers.data && peers.data.peers.length === 0 ? (
        <p>
          No peers registered yet: register one with <code>alliance peer add</code> first.
        </p>
      ) : (
        <>
          <div className="field">
            <label htmlFor="subscribe-peer">Peer</label>
            <select id="subscribe-peer" value={chosen} onChange={(e) => setPeer(e.target.value)} {...field('body/peer', 'subscribe-peer-error')}>
              {(peers.data?.peers ?? []).map((p) => (
                <option key={p.name} value={p.name}>
                  {p.name}
                  {p.country ? ` (${p.country})` : ''}
                </option>
              ))}
            </select>
            <FieldError error={problem} field="body/peer" id="subscribe-peer-error" />
          </div>
          <div className="field">
            <label htmlFor="subscribe-bank">Peer's bank</label>
            <input
              id="subscribe-bank"
              required
              value={bank}
              onChange={(e) => setBank(e.target.value)}
              maxLength={100}
              spellCheck={false}
              {...field('body/bank', 'subscribe-bank-error')}
            />
            <FieldError error={problem} field="body/bank" id="subscribe-bank-error" />
          </div>
          <div className="field">
            <label htmlFor="subscribe-into">Into local bank (empty: PEER_BANK, created if needed)</label>
            <input
              id="subscribe-into"
              value={into}
              onChange={(e) => setInto(e.target.value)}
              maxLength={100}
              spellCheck={false}
              {...field('body/into', 'subscribe-into-error')}
            />
            <FieldError error={problem} field="body/into" id="subscribe-into-error" />
          </div>
          <Button type="submit" weight="primary" disabled={busy || !chosen}>
            {busy ? 'Subscribing…' : 'Subscribe'}
          </Button>
        </>
      )}
      <ErrorMessage error={problem} beside={['body/peer', 'body/bank', 'body/into']} />
    </form>
  );
}

/** Whether a subscription's last attempt failed (its last error is newer than its last success). */
const failing = (s: Subscription) => s.last_error !== null && (s.last_success_at === null || (s.last_error_at ?? '') > s.last_success_at);

/** Banks received from peers: where each subscription is, how far behind, its last error; sync now, pause, resume, subscribe. */
export function SyncPage({ manage }: { manage: boolean }) {
  const subs = useLoad(() => api<{ subscriptions: Subscription[] }>('/subscriptions'), []);
  const { busy, error, run } = useAction({ toastErrors: true });
  const [notice, setNotice] = useState<string | null>(null);
  const toast = useToast();
  const syncNow = (s: Subscription) =>
    run(`Sync of ${s.peer}/${s.remote_bank} failed`, async () => {
      await api(`/subscriptions/${s.id}/sync`, { method: 'POST' });
      toast.success(`Synced ${s.peer}/${s.remote_bank}.`);
      subs.reload();
    });
  const setPaused = (s: Subscription, paused: boolean) =>
    run(`${s.peer}/${s.remote_bank} was not ${paused ? 'paused' : 'resumed'}`, async () => {
      await api(`/subscriptions/${s.id}`, { method: 'PATCH', json: { paused } });
      setNotice(paused ? `Paused ${s.peer}/${s.remote_bank}: its feed is not pulled until it is resumed.` : `Resumed ${s.peer}/${s.remote_bank}.`);
      subs.reload();
    });
  const columns: Array<Column<Subscription>> = [
    {
      key: 'from',
      header: 'From',
      rowHeader: true,
      sort: (s) => `${s.peer}/${s.remote_bank}`,
      cell: (s) => (
        <>
          {s.peer} / {s.remote_bank}
        </>
      ),
    },
    { key: 'into', header: 'Into', sort: (s) => s.bank, cell: (s) => <Link href={bankPath(s.bank)}>{s.bank}</Link> },
    {
      key: 'position',
      header: 'Position',
      numeric: true,
      sort: (s) => s.checkpoint,
      cell: (s) => (
        <>
          {s.checkpoint.toLocaleString('en')}
          {s.latest !== null && ` of ${s.latest.toLocaleString('en')}`}
        </>
      ),
    },
    {
      key: 'lag',
      header: 'Lag',
      numeric: true,
      sort: (s) => s.lag,
      cell: (s) => <span data-testid="lag">{s.lag === null ? 'unknown' : s.lag.toLocaleString('en')}</span>,
    },
    { key: 'received', header: 'Received', numeric: true, sort: (s) => s.items_received, cell: (s) => s.items_received.toLocaleString('en') },
    { key: 'success', header: 'Last success', sort: (s) => s.last_success_at, cell: (s) => when(s.last_success_at) },
    {
      key: 'error',
      header: 'Last error',
      cell: (s) => <span data-testid="last-error">{s.last_error ? `${when(s.last_error_at)}: ${s.last_error}` : 'none'}</span>,
    },
    { key: 'state', header: 'State', sort: (s) => (s.paused ? 1 : 0), cell: (s) => <span data-testid="state">{s.paused ? 'paused' : 'active'}</span> },
    {
      key: 'actions',
      header: 'Actions',
      hiddenHeader: true,
      cell: (s) =>
        manage && (
          <>
            <Button disabled={busy} onClick={() => void syncNow(s)}>
              Sync now
            </Button>{' '}
            <Button disabled={busy} onClick={() => void setPaused(s, !s.paused)}>
              {s.paused ? 'Resume' : 'Pause'}
            </Button>
          </>
        ),
    },
  ];
  return (
    <>
      <PageHeading title="Subscriptions" />
      <p>Banks this node receives from peers. Each page of a peer's feed is verified and applied with its position, so a failed sync loses nothing.</p>
      <ErrorMessage error={subs.error ?? error} />
      <Notice text={notice} />
      {subs.loading && !subs.data && <Skeleton label="Loading subscriptions…" table={{ columns: 9 }} />}
      {subs.data && (
        <DataTable
          caption="Subscriptions"
          className="subscriptions"
          columns={columns}
          rows={subs.data.subscriptions}
          rowKey={(s) => s.id}
          rowProps={(s) => ({ 'data-subscription': s.id, className: failing(s) ? 'failing' : undefined })}
          pageSize={25}
          empty={manage ? "No subscriptions yet: subscribe to a peer's bank below." : 'No subscriptions yet.'}
        />
      )}
      {manage && (
        <SubscribeForm
          onSubscribed={(s) => {
            setNotice(`Subscribed to ${s.peer}/${s.remote_bank}, received into ${s.bank}.`);
            subs.reload();
          }}
        />
      )}
    </>
  );
}
