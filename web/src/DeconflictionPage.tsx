import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { DataTable, type Column } from './ui/DataTable';
import { EmptyState } from './ui/EmptyState';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { DeconflictionAlert as Alert, DeconflictionCase as CaseRow } from '../../src/api/contract/index.js';
import { Button } from './ui/Button';

const KINDS = ['username', 'email', 'phone', 'ip', 'device', 'url', 'series', 'hash'] as const;

const ALERT_COLUMNS: ReadonlyArray<Column<Alert>> = [
  { key: 'case', header: 'Your case', rowHeader: true, sort: (a) => a.reference || a.case, cell: (a) => a.reference || a.case },
  {
    key: 'target',
    header: 'Shared target',
    sort: (a) => a.kind,
    cell: (a) => (
      <>
        {a.kind} {a.hint && <span className="muted">({a.hint})</span>}
      </>
    ),
  },
  {
    key: 'other',
    header: 'Other case',
    sort: (a) => a.other_member,
    cell: (a) => (
      <>
        {a.other_case} <span className="muted">({a.other_member})</span>
      </>
    ),
  },
  { key: 'contact', header: 'Contact', cell: (a) => a.other_contact },
  { key: 'found', header: 'Found', sort: (a) => a.created_at, cell: (a) => when(a.created_at) },
];

/** Deconfliction: this node's cases, registering a target, and the overlaps found with other cases. */
export function DeconflictionPage() {
  const cases = useLoad(() => api<{ cases: CaseRow[] }>('/cases'), []);
  const alerts = useLoad(() => api<{ alerts: Alert[] }>('/deconfliction/alerts'), []);
  const { busy, error, run } = useAction();
  const toast = useToast();
  const [reference, setReference] = useState('');
  const [contact, setContact] = useState('');
  const [caseId, setCaseId] = useState('');
  const [kind, setKind] = useState<string>('username');
  const [value, setValue] = useState('');
  const [result, setResult] = useState<string | null>(null);

  const open = (e: FormEvent) => {
    e.preventDefault();
    void run('The case was not opened', async () => {
      await api('/cases', { json: { reference, contact_point: contact } });
      toast.success(`Case ${reference} opened.`);
      setReference('');
      cases.reload();
    });
  };
  const register = (e: FormEvent) => {
    e.preventDefault();
    void run('The target was not registered', async () => {
      const r = await api<{ alerts: number }>(`/cases/${caseId}/targets`, { json: { targets: [{ kind, value }] } });
      setValue('');
      setResult(r.alerts ? `Registered: ${r.alerts} new overlap alert(s).` : 'Registered: no overlap on this node.');
      cases.reload();
      alerts.reload();
    });
  };

  return (
    <>
      <PageHeading title="Deconfliction" />
      <p>
        Targets are kept only as keyed hashes. When another case — here or on a peer's node — holds the same target, both owners are alerted with each other's
        contact point.
      </p>
      <ErrorMessage error={cases.error ?? alerts.error ?? error} />
      <section aria-labelledby="alerts-heading">
        <h2 id="alerts-heading">Alerts</h2>
        {alerts.loading && !alerts.data && <Skeleton label="Loading alerts…" table={{ columns: 5 }} />}
        {alerts.data && (
          <DataTable
            caption="Overlap alerts"
            className="alerts"
            columns={ALERT_COLUMNS}
            rows={alerts.data.alerts}
            rowKey={(a) => a.id}
            rowProps={(a) => ({ 'data-alert': a.id })}
            pageSize={25}
            empty="No overlaps."
          />
        )}
      </section>
      <section aria-labelledby="cases-heading">
        <h2 id="cases-heading">Cases</h2>
        {cases.loading && !cases.data && <Skeleton label="Loading cases…" lines={3} />}
        {cases.data && cases.data.cases.length === 0 && <EmptyState>No cases yet: open one below.</EmptyState>}
        {cases.data && cases.data.cases.length > 0 && (
          <ul>
            {cases.data.cases.map((c) => (
              <li key={c.id}>
                {c.reference}{' '}
                <span className="muted">
                  ({c.uid}, {c.targets} targets, contact {c.contact_point})
                </span>
              </li>
            ))}
          </ul>
        )}
        <form onSubmit={open} className="rule-form" aria-label="New case">
          <label>
            Case reference <input required maxLength={200} value={reference} onChange={(e) => setReference(e.target.value)} />
          </label>
          <label>
            Contact point <input required maxLength={500} value={contact} onChange={(e) => setContact(e.target.value)} />
          </label>
          <Button type="submit" weight="primary" disabled={busy}>
            Open case
          </Button>
        </form>
        {cases.data && cases.data.cases.length > 0 && (
          <form onSubmit={register} className="rule-form" aria-label="Register a target">
            <label htmlFor="dc-case">Case</label>
            <select id="dc-case" required value={caseId} onChange={(e) => setCaseId(e.target.value)}>
              <option value="">choose…</option>
              {cases.data.cases.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.reference}
                </option>
              ))}
            </select>
            <label htmlFor="dc-kind">Kind</label>
            <select id="dc-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
              {KINDS.map((k) => (
                <option key={k}>{k}</option>
              ))}
            </select>
            <label>
              Identifier <input required value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" />
            </label>
            <Button type="submit" weight="primary" disabled={busy}>
              Register target
            </Button>
            {result && <p role="status">{result}</p>}
          </form>
        )}
      </section>
    </>
  );
}
