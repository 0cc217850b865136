import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { Webhook, WebhookDelivery as Delivery } from '../../src/api/contract/index.js';

/** Webhooks, and their deliveries: the dead-letter list with replay. */
export function WebhooksSection() {
  const hooks = useLoad(() => api<{ webhooks: Webhook[] }>('/webhooks'), []);
  const [state, setState] = useState<'dead' | 'pending' | 'delivered'>('dead');
  const deliveries = useLoad(() => api<{ deliveries: Delivery[] }>(`/webhook-deliveries?state=${state}`), [state]);
  const { busy, error, run } = useAction();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [secret, setSecret] = useState('');

  const add = (e: FormEvent) => {
    e.preventDefault();
    void run('The webhook was not added', async () => {
      await api('/webhooks', { json: { name, url, secret } });
      setName('');
      setUrl('');
      setSecret('');
      hooks.reload();
    });
  };
  const replay = (d: Delivery) =>
    run(`Delivery ${d.id} was not queued again`, async () => {
      await api(`/webhook-deliveries/${d.id}/replay`, { method: 'POST' });
      deliveries.reload();
    });

  return (
    <section aria-labelledby="webhooks-heading">
      <h2 id="webhooks-heading">Webhooks</h2>
      <p>
        Deliveries are signed (x-alliance-signature: sha256=HMAC of "timestamp.body"), retried with back-off, and kept on the dead-letter list when they keep
        failing.
      </p>
      <ErrorMessage error={hooks.error ?? deliveries.error ?? error} />
      {hooks.data && hooks.data.webhooks.length > 0 && (
        <ul className="webhooks">
          {hooks.data.webhooks.map((w) => (
            <li key={w.name}>
              <strong>{w.name}</strong> → <code>{w.url}</code>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={add} className="rule-form" aria-label="New webhook">
        <label>
          Webhook name <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
        </label>
        <label>
          URL <input required type="url" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <label>
          Secret (16 characters or more){' '}
          <input required type="password" minLength={16} value={secret} onChange={(e) => setSecret(e.target.value)} autoComplete="new-password" />
        </label>
        <button type="submit" disabled={busy}>
          Add webhook
        </button>
      </form>
      <h3>Deliveries</h3>
      <div role="group" aria-label="Deliveries to show" className="choice">
        {(['dead', 'pending', 'delivered'] as const).map((s) => (
          <button key={s} type="button" aria-pressed={state === s} onClick={() => setState(s)}>
            {s === 'dead' ? 'Dead letters' : s[0].toUpperCase() + s.slice(1)}
          </button>
        ))}
      </div>
      {deliveries.data && deliveries.data.deliveries.length === 0 && <p>None.</p>}
      {deliveries.data && deliveries.data.deliveries.length > 0 && (
        <table className="deliveries">
          <caption className="sr-only">Webhook deliveries</caption>
          <thead>
            <tr>
              <th scope="col">Delivery</th>
              <th scope="col">Webhook</th>
              <th scope="col">Event</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="sr-only">Replay</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.data.deliveries.map((d) => (
              <tr key={d.id} data-delivery={d.id}>
                <th scope="row">{d.id}</th>
                <td>{d.webhook}</td>
                <td>{d.event}</td>
                <td className="num">{d.attempts}</td>
                <td>{d.last_error ?? (d.last_status === null ? '–' : `HTTP ${d.last_status}`)}</td>
                <td>{when(d.created_at)}</td>
                <td>
                  {d.state !== 'pending' && (
                    <button type="button" disabled={busy} onClick={() => void replay(d)}>
                      Replay
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
