import { useState, type FormEvent } from 'react';
import { api, bankPath } from './api';
import { concerns, ErrorMessage, FieldError } from './ErrorMessage';
import { Link } from './Link';
import { Notice } from './Notice';
import { PageHeading } from './PageHeading';
import type { FieldSentences } from './problems';
import type { Subscription } from './types';
import { useAction } from './useAction';
import { useLoad } from './useLoad';

import { when } from './when';

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
          <button type="submit" disabled={busy || !chosen}>
            {busy ? 'Subscribing…' : 'Subscribe'}
          </button>
        </>
      )}
      <ErrorMessage error={problem} beside={['body/peer', 'body/bank', 'body/into']} />
    </form>
  );
}

/** Banks received from peers: where each subscription is, how far behind, its last error; sync now, pause, resume, subscribe. */
export function SyncPage({ manage }: { manage: boolean }) {
  const subs = useLoad(() => api<{ subscriptions: Subscription[] }>('/subscriptions'), []);
  const { busy, error, run } = useAction();
  const [notice, setNotice] = useState<string | null>(null);
  const syncNow = (s: Subscription) =>
    run(`Sync of ${s.peer}/${s.remote_bank} failed`, async () => {
      await api(`/subscriptions/${s.id}/sync`, { method: 'POST' });
      subs.reload();
    });
  const setPaused = (s: Subscription, paused: boolean) =>
    run(`${s.peer}/${s.remote_bank} was not ${paused ? 'paused' : 'resumed'}`, async () => {
      await api(`/subscriptions/${s.id}`, { method: 'PATCH', json: { paused } });
      setNotice(paused ? `Paused ${s.peer}/${s.remote_bank}: its feed is not pulled until it is resumed.` : `Resumed ${s.peer}/${s.remote_bank}.`);
      subs.reload();
    });
  return (
    <>
      <PageHeading title="Subscriptions" />
      <p>Banks this node receives from peers. Each page of a peer's feed is verified and applied with its position, so a failed sync loses nothing.</p>
      <ErrorMessage error={subs.error ?? error} />
      <Notice text={notice} />
      {subs.data && subs.data.subscriptions.length === 0 && (
        <p>{manage ? "No subscriptions yet: subscribe to a peer's bank below." : 'No subscriptions yet.'}</p>
      )}
      {subs.data && subs.data.subscriptions.length > 0 && (
        <table className="subscriptions">
          <caption className="sr-only">Subscriptions</caption>
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">Into</th>
              <th scope="col">Position</th>
              <th scope="col">Lag</th>
              <th scope="col">Received</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
              <th scope="col">State</th>
              <th scope="col">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {subs.data.subscriptions.map((s) => {
              const failing = s.last_error !== null && (s.last_success_at === null || (s.last_error_at ?? '') > s.last_success_at);
              return (
                <tr key={s.id} data-subscription={s.id} className={failing ? 'failing' : undefined}>
                  <th scope="row">
                    {s.peer} / {s.remote_bank}
                  </th>
                  <td>
                    <Link href={bankPath(s.bank)}>{s.bank}</Link>
                  </td>
                  <td className="num">
                    {s.checkpoint.toLocaleString('en')}
                    {s.latest !== null && ` of ${s.latest.toLocaleString('en')}`}
                  </td>
                  <td className="num" data-testid="lag">
                    {s.lag === null ? 'unknown' : s.lag.toLocaleString('en')}
                  </td>
                  <td className="num">{s.items_received.toLocaleString('en')}</td>
                  <td>{when(s.last_success_at)}</td>
                  <td data-testid="last-error">{s.last_error ? `${when(s.last_error_at)}: ${s.last_error}` : 'none'}</td>
                  <td data-testid="state">{s.paused ? 'paused' : 'active'}</td>
                  <td>
                    {manage && (
                      <>
                        <button type="button" disabled={busy} onClick={() => void syncNow(s)}>
                          Sync now
                        </button>{' '}
                        <button type="button" disabled={busy} onClick={() => void setPaused(s, !s.paused)}>
                          {s.paused ? 'Resume' : 'Pause'}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {subs.loading && !subs.data && <p>Loading subscriptions…</p>}
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
