import { useState, type FormEvent } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { DeconflictionAlert as Alert, DeconflictionCase as CaseRow } from '../../src/api/contract/index.js';

const KINDS = ['username', 'email', 'phone', 'ip', 'device', 'url', 'series', 'hash'] as const;

/** Deconfliction: this node's cases, registering a target, and the overlaps found with other cases. */
export function DeconflictionPage() {
  const cases = useLoad(() => api<{ cases: CaseRow[] }>('/cases'), []);
  const alerts = useLoad(() => api<{ alerts: Alert[] }>('/deconfliction/alerts'), []);
  const { busy, error, run } = useAction();
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
        {alerts.data && alerts.data.alerts.length === 0 && <p>No overlaps.</p>}
        {alerts.data && alerts.data.alerts.length > 0 && (
          <table className="alerts">
            <caption className="sr-only">Overlap alerts</caption>
            <thead>
              <tr>
                <th scope="col">Your case</th>
                <th scope="col">Shared target</th>
                <th scope="col">Other case</th>
                <th scope="col">Contact</th>
                <th scope="col">Found</th>
              </tr>
            </thead>
            <tbody>
              {alerts.data.alerts.map((a) => (
                <tr key={a.id} data-alert={a.id}>
                  <th scope="row">{a.reference || a.case}</th>
                  <td>
                    {a.kind} {a.hint && <span className="muted">({a.hint})</span>}
                  </td>
                  <td>
                    {a.other_case} <span className="muted">({a.other_member})</span>
                  </td>
                  <td>{a.other_contact}</td>
                  <td>{when(a.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="cases-heading">
        <h2 id="cases-heading">Cases</h2>
        {cases.data && cases.data.cases.length === 0 && <p>No cases yet.</p>}
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
          <button type="submit" disabled={busy}>
            Open case
          </button>
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
            <button type="submit" disabled={busy}>
              Register target
            </button>
            {result && <p role="status">{result}</p>}
          </form>
        )}
      </section>
    </>
  );
}
