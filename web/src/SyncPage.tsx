import { api, bankPath } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import type { Subscription } from './types';
import { useAction } from './useAction';
import { useLoad } from './useLoad';

import { when } from './when';

/** Banks received from peers: where each subscription is, how far behind, its last error; sync now. */
export function SyncPage() {
  const subs = useLoad(() => api<{ subscriptions: Subscription[] }>('/subscriptions'), []);
  const { busy, error, run } = useAction();
  const syncNow = (s: Subscription) =>
    run(`Sync of ${s.peer}/${s.remote_bank} failed`, async () => {
      await api(`/subscriptions/${s.id}/sync`, { method: 'POST' });
      subs.reload();
    });
  return (
    <>
      <PageHeading title="Subscriptions" />
      <p>Banks this node receives from peers. Each page of a peer's feed is verified and applied with its position, so a failed sync loses nothing.</p>
      <ErrorMessage error={subs.error ?? error} />
      {subs.data && subs.data.subscriptions.length === 0 && (
        <p>
          No subscriptions yet: subscribe to a peer's bank with <code>alliance subscribe PEER BANK</code>.
        </p>
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
                  <td>
                    <button type="button" disabled={busy} onClick={() => void syncNow(s)}>
                      Sync now
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {subs.loading && !subs.data && <p>Loading subscriptions…</p>}
    </>
  );
}
