import { useState, type FormEvent } from 'react';
import { api } from '../api';
import { ErrorMessage } from '../ErrorMessage';
import { useAction } from '../useAction';
import { useLoad } from '../useLoad';
import { Button } from '../ui/Button';
import { Skeleton } from '../ui/Skeleton';
import { useToast } from '../ui/Toasts';
import { DataTable, type Column } from '../ui/DataTable';

interface HelpEntry {
  id: number;
  country: string;
  kind: string;
  name: string;
  languages: string[];
  hours: string | null;
  channels: Array<{ type: string; value: string }>;
  status: string;
  source: string | null;
}
const KINDS = ['child_helpline', 'hotline', 'police', 'victim_support', 'offender_prevention'];
const CHANNEL_TYPES = ['phone', 'web', 'chat', 'email', 'sms', 'app'];
const words = (s: string) => s.replace(/_/g, ' ');
interface Form {
  id: number | null;
  kind: string;
  name: string;
  languages: string;
  hours: string;
  /** One contact per line: "<type> <value>". */
  contacts: string;
}

/** Where users of a country can turn: the entries of a country (placeholders flagged), filled and added by curators. */
export function HelpDirectorySection() {
  const [country, setCountry] = useState('');
  const [shown, setShown] = useState('ZZ');
  const list = useLoad(() => api<{ entries: HelpEntry[] }>(`/help-directory?country=${encodeURIComponent(shown)}`), [shown]);
  const { busy, error, run } = useAction();
  const toast = useToast();
  const [form, setForm] = useState<Form | null>(null);

  const edit = (e: HelpEntry | null) =>
    setForm(
      e
        ? {
            id: e.id,
            kind: e.kind,
            name: e.status === 'placeholder' ? '' : e.name,
            languages: e.languages.join(', '),
            hours: e.hours ?? '',
            contacts: e.channels.map((c) => `${c.type} ${c.value}`).join('\n'),
          }
        : { id: null, kind: 'child_helpline', name: '', languages: '', hours: '', contacts: '' },
    );
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    const body = {
      name: form.name,
      languages: form.languages.split(/[\s,]+/).filter(Boolean),
      hours: form.hours.trim() || null,
      channels: form.contacts
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .map((line) => {
          const [type, ...rest] = line.split(/\s+/);
          return { type, value: rest.join(' ') };
        }),
    };
    void run('The entry was not saved', async () => {
      if (form.id === null) await api('/help-directory', { json: { ...body, country: shown, kind: form.kind } });
      else await api(`/help-directory/${form.id}`, { method: 'PATCH', json: body });
      toast.success(form.id === null ? `Entry added for ${shown}.` : `Entry ${form.id} saved.`);
      setForm(null);
      list.reload();
    });
  };

  const columns: Array<Column<HelpEntry>> = [
    { key: 'kind', header: 'Kind', sort: (e) => e.kind, cell: (e) => words(e.kind) },
    { key: 'name', header: 'Name', sort: (e) => e.name, cell: (e) => e.name },
    { key: 'languages', header: 'Languages', cell: (e) => e.languages.join(', ') },
    { key: 'hours', header: 'Hours', cell: (e) => e.hours },
    {
      key: 'contact',
      header: 'Contact',
      cell: (e) =>
        e.channels.map((c) => (
          <div key={c.type + c.value}>
            {c.type}: {c.value}
          </div>
        )),
    },
    {
      key: 'status',
      header: 'Status',
      sort: (e) => e.status,
      cell: (e) => (e.status === 'placeholder' ? <span className="tag warn">placeholder: to fill</span> : e.source ? `from ${e.source}` : e.status),
    },
    { key: 'actions', header: 'Actions', hiddenHeader: true, cell: (e) => !e.source && <Button onClick={() => edit(e)}>Edit</Button> },
  ];

  return (
    <section aria-labelledby="help-title">
      <h2 id="help-title">Help directory</h2>
      <p>
        Per country: the child helpline, the reporting hotline, the police, victim support and offender prevention. Placeholders are never shown to users: the
        international entry (ZZ) of that kind stands in, flagged.
      </p>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          setShown(country.trim().toUpperCase() || 'ZZ');
        }}
      >
        <label>
          Country <input value={country} onChange={(e) => setCountry(e.target.value)} size={4} maxLength={2} placeholder="BE" />
        </label>
        <Button type="submit" weight="primary">
          Show
        </Button>
        <Button onClick={() => edit(null)}>Add an entry for {shown}</Button>
      </form>
      <ErrorMessage error={list.error ?? error} />
      {list.loading && !list.data && <Skeleton label="Loading the help directory…" table={{ columns: 7 }} />}
      {list.data && (
        <DataTable
          caption={`Help directory of ${shown}`}
          label={`Help directory of ${shown}`}
          columns={columns}
          rows={list.data.entries}
          rowKey={(e) => e.id}
          empty={`No entries for ${shown} yet: add one.`}
        />
      )}
      {form && (
        <form onSubmit={save} aria-label="Help directory entry">
          <h3>{form.id === null ? `New entry for ${shown}` : `Entry ${form.id}`}</h3>
          {form.id === null && (
            <label>
              Kind
              <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {words(k)}
                  </option>
                ))}
              </select>
            </label>
          )}
          <label>
            Name <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} maxLength={200} required />
          </label>
          <label>
            Languages <input value={form.languages} onChange={(e) => setForm({ ...form, languages: e.target.value })} placeholder="nl, fr" />
          </label>
          <label>
            Hours <input value={form.hours} onChange={(e) => setForm({ ...form, hours: e.target.value })} placeholder="24/7" />
          </label>
          <label>
            Contacts, one per line: {CHANNEL_TYPES.join(', ')}, then the number or address
            <textarea
              value={form.contacts}
              onChange={(e) => setForm({ ...form, contacts: e.target.value })}
              rows={3}
              placeholder={'phone +32 …\nweb https://…'}
            />
          </label>
          <Button type="submit" weight="primary" disabled={busy}>
            Save
          </Button>{' '}
          <Button onClick={() => setForm(null)}>Cancel</Button>
        </form>
      )}
    </section>
  );
}
