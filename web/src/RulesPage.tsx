import { useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { RuleForm } from './RuleForm';
import type { ActionRule } from './types';
import { Button } from './ui/Button';
import { DataTable, type Column } from './ui/DataTable';
import { useConfirm } from './ui/Dialog';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
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
  const { busy, error, run } = useAction({ toastErrors: true });
  const { ask, dialog } = useConfirm();
  const [editing, setEditing] = useState<ActionRule | null>(null);
  const toast = useToast();

  const save = (r: ActionRule, enabled: boolean) =>
    run(`Rule ${r.name} was not changed`, async () => {
      await api(`/rules/${r.id}`, { method: 'PUT', json: { name: r.name, conditions: r.conditions, actions: r.actions, webhook: r.webhook, enabled } });
      toast.success(enabled ? `Rule ${r.name} enabled.` : `Rule ${r.name} disabled: it acts on no match until enabled again.`);
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
      toast.success(`Rule ${r.name} deleted.`);
      rules.reload();
    });
  };

  const columns: Array<Column<ActionRule>> = [
    { key: 'name', header: 'Rule', rowHeader: true, sort: (r) => r.name, cell: (r) => r.name },
    { key: 'when', header: 'When', cell: describe },
    {
      key: 'then',
      header: 'Then',
      cell: (r) => (
        <>
          {r.actions.join(', ')}
          {r.webhook && ` (webhook ${r.webhook})`}
        </>
      ),
    },
    {
      key: 'enabled',
      header: 'Enabled',
      sort: (r) => (r.enabled ? 1 : 0),
      cell: (r) => (
        <input type="checkbox" aria-label={`Rule ${r.name} enabled`} checked={r.enabled} disabled={busy} onChange={(e) => void save(r, e.target.checked)} />
      ),
    },
    {
      key: 'actions',
      header: 'Edit or delete',
      hiddenHeader: true,
      cell: (r) => (
        <>
          <Button disabled={busy} onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>
            Edit
          </Button>{' '}
          <Button weight="danger" disabled={busy} onClick={() => void remove(r)}>
            Delete
          </Button>
        </>
      ),
    },
  ];

  return (
    <>
      <PageHeading title="Rules" />
      {dialog}
      <p>
        Every match of a submission is checked against the enabled rules; the actions of every rule it meets are taken. Review holds report and notice until an
        analyst confirms.
      </p>
      <ErrorMessage error={rules.error ?? error} />
      {rules.loading && !rules.data && <Skeleton label="Loading rules…" table={{ columns: 5 }} />}
      {rules.data && (
        <DataTable
          caption="Action rules"
          className="rules"
          columns={columns}
          rows={rules.data.rules}
          rowKey={(r) => r.id}
          rowProps={(r) => ({ 'data-rule': r.name })}
          pageSize={25}
          empty="No rules yet: matches are answered, but nothing is done with them."
        />
      )}
      <RuleForm
        key={editing?.id ?? 'new'}
        editing={editing}
        onSaved={() => {
          toast.success(editing ? `Rule ${editing.name} saved.` : 'Rule created.');
          setEditing(null);
          rules.reload();
        }}
        onCancel={() => setEditing(null)}
      />
      <WebhooksSection />
    </>
  );
}
