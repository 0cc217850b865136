import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Button } from './ui/Button';
import { DataTable, type Column } from './ui/DataTable';
import { Skeleton } from './ui/Skeleton';
import { Tabs } from './ui/Tabs';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { Webhook, WebhookDelivery as Delivery } from '../../src/api/contract/index.js';

/** Webhooks, and their deliveries: the dead-letter list with replay. */
export function WebhooksSection() {
  const hooks = useLoad(() => api<{ webhooks: Webhook[] }>('/webhooks'), []);
  const [state, setState] = useState<'dead' | 'pending' | 'delivered'>('dead');
  const deliveries = useLoad(() => api<{ deliveries: Delivery[] }>(`/webhook-deliveries?state=${state}`), [state]);
  const { busy, error, run } = useAction({ toastErrors: true });
  const toast = useToast();
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
      toast.success(`Webhook ${name} added.`);
      hooks.reload();
    });
  };
  const replay = (d: Delivery) =>
    run(`Delivery ${d.id} was not queued again`, async () => {
      await api(`/webhook-deliveries/${d.id}/replay`, { method: 'POST' });
      toast.success(`Delivery ${d.id} queued again.`);
      deliveries.reload();
    });

  const columns: Array<Column<Delivery>> = [
    { key: 'id', header: 'Delivery', rowHeader: true, numeric: true, sort: (d) => d.id, cell: (d) => d.id },
    { key: 'webhook', header: 'Webhook', sort: (d) => d.webhook, cell: (d) => d.webhook },
    { key: 'event', header: 'Event', sort: (d) => d.event, cell: (d) => d.event },
    { key: 'attempts', header: 'Attempts', numeric: true, sort: (d) => d.attempts, cell: (d) => d.attempts },
    { key: 'answer', header: 'Last answer', cell: (d) => d.last_error ?? (d.last_status === null ? '–' : `HTTP ${d.last_status}`) },
    { key: 'created', header: 'Created', sort: (d) => d.created_at, cell: (d) => when(d.created_at) },
    {
      key: 'replay',
      header: 'Replay',
      hiddenHeader: true,
      cell: (d) =>
        d.state !== 'pending' && (
          <Button disabled={busy} onClick={() => void replay(d)}>
            Replay
          </Button>
        ),
    },
  ];

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
        <Button type="submit" weight="primary" disabled={busy}>
          Add webhook
        </Button>
      </form>
      <h3>Deliveries</h3>
      <Tabs
        label="Deliveries to show"
        selected={state}
        onSelect={setState}
        tabs={(['dead', 'pending', 'delivered'] as const).map((s) => ({ id: s, label: s === 'dead' ? 'Dead letters' : s[0].toUpperCase() + s.slice(1) }))}
      >
        {deliveries.loading && !deliveries.data && <Skeleton label="Loading deliveries…" table={{ columns: 7 }} />}
        {deliveries.data && (
          <DataTable
            key={state}
            caption="Webhook deliveries"
            className="deliveries"
            columns={columns}
            rows={deliveries.data.deliveries}
            rowKey={(d) => d.id}
            rowProps={(d) => ({ 'data-delivery': d.id })}
            pageSize={25}
            empty="None."
          />
        )}
      </Tabs>
    </section>
  );
}
