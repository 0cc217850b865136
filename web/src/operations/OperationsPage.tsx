import { useState, type FormEvent, type ReactNode } from 'react';
import type { Operation } from '../../../src/api/contract/index.js';
import { api } from '../api';
import { concerns, ErrorMessage, FieldError } from '../ErrorMessage';
import { Link } from '../Link';
import { PageHeading } from '../PageHeading';
import type { FieldSentences } from '../problems';
import { navigate } from '../router';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { when } from '../when';
import { placed } from './shared';
import { Button, DataTable, Skeleton } from '../ui';

/** The form's fields as the API names them, in the form's words. */
const FIELDS: FieldSentences = {
  'body/name': { label: 'name' },
  'body/legal_basis': { label: 'legal basis' },
  'body/owner_agency': { label: 'owner agency' },
  'body/contact_point': { label: 'contact point' },
  'body/starts_at': { label: 'start date', invalid: 'The start date must be a date (YYYY-MM-DD).' },
  'body/ends_at': { label: 'end date', invalid: 'The end date must be a date, on or after the start date.' },
  'body/notes': { label: 'restricted notes' },
};

const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '—');

/** Joint operations on this node: the list, and opening one (its notes never leave the node). */
export function OperationsPage() {
  const list = useLoad(() => api<{ operations: Operation[] }>('/operations'), []);
  const ops = list.data?.operations;
  return (
    <>
      <PageHeading title="Operations" />
      <p>
        A joint operation's targets, attributed to a country each, checked against deconfliction, referred to each country's authority as a signed lead package;
        the outcomes come back. Received packages are in the <Link href="/lead-inbox">lead inbox</Link>.
      </p>
      <ErrorMessage error={list.error} />
      {list.loading && !ops && <Skeleton label="Loading the operations…" table={{ columns: 6 }} />}
      {ops && (
        <DataTable
          caption="Operations"
          className="operations"
          rows={ops}
          rowKey={(o) => o.uid}
          rowProps={(o) => ({ 'data-operation': o.name })}
          empty="No operation yet: open the first one below."
          pageSize={50}
          columns={[
            {
              key: 'name',
              header: 'Operation',
              rowHeader: true,
              sort: (o) => o.name,
              cell: (o) => (
                <>
                  <Link href={`/operations/${o.id}`}>{o.name}</Link> <small className="muted">{o.uid}</small>
                </>
              ),
            },
            { key: 'agency', header: 'Owner agency', sort: (o) => o.owner_agency, cell: (o) => o.owner_agency },
            { key: 'contact', header: 'Contact point', cell: (o) => o.contact_point },
            { key: 'dates', header: 'Dates', sort: (o) => o.starts_at, cell: (o) => `${day(o.starts_at)} to ${day(o.ends_at)}` },
            { key: 'targets', header: 'Targets', numeric: true, sort: (o) => o.targets, cell: (o) => o.targets.toLocaleString('en') },
            { key: 'opened', header: 'Opened', sort: (o) => o.created_at, cell: (o) => when(o.created_at) },
          ]}
        />
      )}
      <OpenOperationForm onOpened={(o) => navigate(`/operations/${o.id}`)} />
    </>
  );
}

function OpenOperationForm({ onOpened }: { onOpened: (o: Operation) => void }) {
  const [form, setForm] = useState({ name: '', legal_basis: '', owner_agency: '', contact_point: '', starts_at: '', ends_at: '', notes: '' });
  const { busy, error, run } = useAction();
  const problem = placed(error, FIELDS);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(
      'The operation was not opened',
      async () => {
        const o = await api<Operation>('/operations', {
          json: {
            name: form.name.trim(),
            legal_basis: form.legal_basis.trim(),
            owner_agency: form.owner_agency.trim(),
            contact_point: form.contact_point.trim(),
            starts_at: form.starts_at || null,
            ends_at: form.ends_at || null,
            notes: form.notes.trim() || null,
          },
        });
        onOpened(o);
      },
      FIELDS,
    );
  };

  /** One labelled field with its error beside it. */
  const field = (key: keyof typeof form, label: string, input: (a: Record<string, unknown>) => ReactNode, hint?: string) => {
    const path = `body/${key}`;
    const id = `op-${key.replace(/_/g, '-')}`;
    const described = [concerns(problem, path) ? `${id}-error` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    return (
      <div className="field">
        <label htmlFor={id}>{label}</label>
        {input({ id, value: form[key], onChange: set(key), 'aria-invalid': concerns(problem, path) || undefined, 'aria-describedby': described })}
        <FieldError error={problem} field={path} id={`${id}-error`} />
        {hint && <small id={`${id}-hint`}>{hint}</small>}
      </div>
    );
  };

  return (
    <form className="card" onSubmit={submit} aria-labelledby="open-operation">
      <h2 id="open-operation">Open an operation</h2>
      {field('name', 'Name', (a) => (
        <input {...a} required maxLength={200} />
      ))}
      {field(
        'legal_basis',
        'Legal basis',
        (a) => (
          <textarea {...a} required rows={2} maxLength={2000} />
        ),
        'Sent with every lead package.',
      )}
      {field('owner_agency', 'Owner agency', (a) => (
        <input {...a} required maxLength={300} />
      ))}
      {field(
        'contact_point',
        'Contact point',
        (a) => (
          <input {...a} required maxLength={500} />
        ),
        'Who receiving authorities and other cases call.',
      )}
      {field('starts_at', 'Starts', (a) => (
        <input {...a} type="date" />
      ))}
      {field('ends_at', 'Ends', (a) => (
        <input {...a} type="date" />
      ))}
      {field(
        'notes',
        'Restricted notes',
        (a) => (
          <textarea {...a} rows={3} maxLength={20_000} />
        ),
        'Never leave this node: no package or peer receives them.',
      )}
      <Button weight="primary" type="submit" disabled={busy}>
        {busy ? 'Opening…' : 'Open operation'}
      </Button>
      <ErrorMessage error={problem} beside={Object.keys(FIELDS)} />
    </form>
  );
}
