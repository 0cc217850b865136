import { useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { RuleForm } from './RuleForm';
import type { ActionRule } from './types';
import { useConfirm } from './ui/ConfirmDialog';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { WebhooksSection } from './WebhooksSection';

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
  const { ask, dialog } = useConfirm();
  const [editing, setEditing] = useState<ActionRule | null>(null);

  const save = (r: ActionRule, enabled: boolean) =>
    run(`Rule ${r.name} was not changed`, async () => {
      await api(`/rules/${r.id}`, { method: 'PUT', json: { name: r.name, conditions: r.conditions, actions: r.actions, webhook: r.webhook, enabled } });
      rules.reload();
    });
  const remove = async (r: ActionRule) => {
    const yes = await ask({
      title: `Delete rule ${r.name}?`,
      body: (
        <p>
          Deleting the rule stops its actions on every later match; what it already did stays. To stop it for a while, disable it instead. This cannot be
          undone.
        </p>
      ),
      confirm: 'Delete the rule',
      danger: true,
    });
    if (!yes) return;
    await run(`Rule ${r.name} was not deleted`, async () => {
      await api(`/rules/${r.id}`, { method: 'DELETE' });
      rules.reload();
    });
  };

  return (
    <>
      <PageHeading title="Rules" />
      {dialog}
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
                <span className="sr-only">Edit or delete</span>
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
                  <button type="button" disabled={busy} onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>
                    Edit
                  </button>{' '}
                  <button type="button" disabled={busy} onClick={() => void remove(r)}>
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <RuleForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={() => {
          setEditing(null);
          rules.reload();
        }}
        onCancel={() => setEditing(null)}
      />
      <WebhooksSection />
    </>
  );
}
