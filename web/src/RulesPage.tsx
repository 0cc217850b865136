import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import type { ActionRule } from './types';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { WebhooksSection } from './WebhooksSection';

const ACTIONS = ['review', 'report', 'notice', 'webhook', 'block'] as const;
const LEGAL = ['baseline', 'national', 'unknown', 'not_illegal'] as const;
const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function describe(r: ActionRule): string {
  const c = r.conditions;
  const parts = [
    c.banks && `bank ${c.banks.join(' or ')}`,
    c.legal && `legal status ${c.legal.join(' or ')}`,
    c.classifications && `classified ${c.classifications.join(' or ')}`,
    c.max_distance !== undefined && `distance ≤ ${c.max_distance}`,
    c.signal_types && `signal ${c.signal_types.join(' or ')}`,
    c.sources && `source ${c.sources.join(' or ')}`,
  ].filter(Boolean);
  return parts.length ? parts.join(', ') : 'any match';
}

/** Action rules as data: conditions on a match → actions. */
export function RulesPage() {
  const rules = useLoad(() => api<{ rules: ActionRule[] }>('/rules'), []);
  const { busy, error, run } = useAction();
  const [name, setName] = useState('');
  const [banks, setBanks] = useState('');
  const [legal, setLegal] = useState<string[]>([]);
  const [maxDistance, setMaxDistance] = useState('');
  const [actions, setActions] = useState<string[]>(['review']);
  const [webhook, setWebhook] = useState('');
  const toggle = (xs: string[], x: string) => (xs.includes(x) ? xs.filter((y) => y !== x) : [...xs, x]);

  const create = (e: FormEvent) => {
    e.preventDefault();
    void run('The rule was not created', async () => {
      const conditions = {
        ...(list(banks).length ? { banks: list(banks) } : {}),
        ...(legal.length ? { legal } : {}),
        ...(maxDistance ? { max_distance: Number(maxDistance) } : {}),
      };
      await api('/rules', { json: { name, conditions, actions, webhook: actions.includes('webhook') ? webhook : null } });
      setName('');
      rules.reload();
    });
  };
  const save = (r: ActionRule, enabled: boolean) =>
    run(`Rule ${r.name} was not changed`, async () => {
      await api(`/rules/${r.id}`, { method: 'PUT', json: { name: r.name, conditions: r.conditions, actions: r.actions, webhook: r.webhook, enabled } });
      rules.reload();
    });
  const remove = (r: ActionRule) =>
    run(`Rule ${r.name} was not deleted`, async () => {
      await api(`/rules/${r.id}`, { method: 'DELETE' });
      rules.reload();
    });

  return (
    <>
      <PageHeading title="Rules" />
      <p>
        Every match of a submission is checked against the enabled rules; the actions of every rule it meets are taken. Review holds report and notice until an
        analyst confirms.
      </p>
      <ErrorMessage error={rules.error ?? error} />
      {rules.data && rules.data.rules.length === 0 && <p>No rules yet: matches are answered, but nothing is done with them.</p>}
      {rules.data && rules.data.rules.length > 0 && (
        <table className="rules">
          <caption className="sr-only">Action rules</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">When</th>
              <th scope="col">Then</th>
              <th scope="col">Enabled</th>
              <th scope="col">
                <span className="sr-only">Delete</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rules.data.rules.map((r) => (
              <tr key={r.id} data-rule={r.name}>
                <th scope="row">{r.name}</th>
                <td>{describe(r)}</td>
                <td>
                  {r.actions.join(', ')}
                  {r.webhook && ` (webhook ${r.webhook})`}
                </td>
                <td>
                  <input
                    type="checkbox"
                    aria-label={`Rule ${r.name} enabled`}
                    checked={r.enabled}
                    disabled={busy}
                    onChange={(e) => void save(r, e.target.checked)}
                  />
                </td>
                <td>
                  <button type="button" disabled={busy} onClick={() => void remove(r)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <form onSubmit={create} className="rule-form" aria-label="New rule">
        <h2>New rule</h2>
        <label>
          Name <input required value={name} onChange={(e) => setName(e.target.value)} maxLength={80} />
        </label>
        <label>
          Banks (comma-separated; empty: any) <input value={banks} onChange={(e) => setBanks(e.target.value)} />
        </label>
        <fieldset>
          <legend>Legal status (none ticked: any)</legend>
          {LEGAL.map((l) => (
            <label key={l}>
              <input type="checkbox" checked={legal.includes(l)} onChange={() => setLegal(toggle(legal, l))} /> {l.replace('_', ' ')}
            </label>
          ))}
        </fieldset>
        <label>
          Maximum distance <input type="number" min={0} max={256} value={maxDistance} onChange={(e) => setMaxDistance(e.target.value)} />
        </label>
        <fieldset>
          <legend>Actions</legend>
          {ACTIONS.map((a) => (
            <label key={a}>
              <input type="checkbox" checked={actions.includes(a)} onChange={() => setActions(toggle(actions, a))} /> {a}
            </label>
          ))}
        </fieldset>
        {actions.includes('webhook') && (
          <label>
            Webhook name <input required value={webhook} onChange={(e) => setWebhook(e.target.value)} />
          </label>
        )}
        <button type="submit" disabled={busy || actions.length === 0}>
          Create rule
        </button>
      </form>
      <WebhooksSection />
    </>
  );
}
