import { useState, type FormEvent } from 'react';
import { closing, useConfirm } from './ui/Dialog';
import { DataTable } from './ui/DataTable';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { Link } from './Link';
import { PageHeading } from './PageHeading';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { SeriesDetail, SupportService as Service } from '../../src/api/contract/index.js';
import { Button } from './ui/Button';

const words = (s: string) => s.replace(/_/g, ' ');
type Victim = SeriesDetail['victims'][number];
const ids = (text: string) =>
  text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);

/** One series: its owner and dates, status changes, restricted notes, linked content, and its victims (pseudonymous) with their referrals. */
export function SeriesDetailPage({ id }: { id: number }) {
  const series = useLoad(() => api<SeriesDetail>(`/series/${id}`), [id]);
  const services = useLoad(() => api<{ services: Service[] }>('/support-services'), []);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useConfirm();
  const toast = useToast();
  const [notes, setNotes] = useState<string | null>(null);
  const [link, setLink] = useState('');
  const [identifiedOn, setIdentifiedOn] = useState(new Date().toISOString().slice(0, 10));
  const [serviceId, setServiceId] = useState('');
  const [referTo, setReferTo] = useState<Record<number, string>>({});
  const s = series.data;

  const change = (fields: Record<string, unknown>, what: string) =>
    run(`The series was not changed (${what})`, async () => {
      await api(`/series/${id}`, { method: 'PATCH', json: fields });
      toast.success(`Series saved (${what}).`);
      series.reload();
    });
  const saveNotes = (e: FormEvent) => {
    e.preventDefault();
    void change({ notes: notes || null }, 'notes').then(() => setNotes(null));
  };
  const linkContent = (e: FormEvent, unlink = false) => {
    e.preventDefault();
    void run(`The content was not ${unlink ? 'unlinked' : 'linked'}`, async () => {
      await api(`/series/${id}/content`, { method: unlink ? 'DELETE' : 'POST', json: { content_ids: ids(link) } });
      setLink('');
      series.reload();
    });
  };
  const identify = (e: FormEvent) => {
    e.preventDefault();
    void run('The victim was not recorded', async () => {
      await api(`/series/${id}/victims`, { json: { identified_on: identifiedOn, ...(serviceId ? { service_id: Number(serviceId) } : {}) } });
      series.reload();
    });
  };
  const refer = (victimId: number) =>
    run('The referral was not recorded', async () => {
      await api(`/victims/${victimId}/referrals`, { json: { service_id: Number(referTo[victimId]) } });
      series.reload();
    });

  const serviceOptions = (services.data?.services ?? []).map((x) => (
    <option key={x.id} value={x.id}>
      {x.name} ({x.country}, {words(x.kind)})
    </option>
  ));

  return (
    <>
      <PageHeading title={s ? `Series ${s.name}` : 'Series'} />
      <p>
        <Link href="/series">All series</Link>
      </p>
      <ErrorMessage error={series.error ?? services.error ?? error} />
      {series.loading && !s && <Skeleton label="Loading the series…" lines={6} />}
      {s && (
        <>
          <dl className="facts">
            <dt>Id</dt>
            <dd>
              <code>{s.uid}</code>
            </dd>
            <dt>Owner</dt>
            <dd>
              {s.owner.member}
              {s.owner.country && ` (${s.owner.country})`}
              {s.owner.agency && `, ${s.owner.agency}`}
            </dd>
            <dt>Contact point</dt>
            <dd>{s.owner.contact_point ?? '—'}</dd>
            <dt>Status</dt>
            <dd data-status={s.status}>{words(s.status)}</dd>
            <dt>Opened</dt>
            <dd>{when(s.opened_at)}</dd>
            <dt>First seen</dt>
            <dd>{when(s.first_seen_at)}</dd>
            <dt>Victim identified</dt>
            <dd>{when(s.victim_identified_at)}</dd>
            <dt>Offender identified</dt>
            <dd>{when(s.offender_identified_at)}</dd>
            <dt>Closed</dt>
            <dd>{when(s.closed_at)}</dd>
          </dl>
          {s.own && s.status !== 'closed' && (
            <p className="actions">
              {s.status !== 'offender_identified' && (
                <Button disabled={busy} onClick={() => void change({ status: 'offender_identified' }, 'status')}>
                  Offender identified
                </Button>
              )}{' '}
              <Button
                weight="danger"
                disabled={busy}
                onClick={() => void ask(closing(s.name)).then((yes) => (yes ? change({ status: 'closed' }, 'status') : undefined))}
              >
                Close
              </Button>
            </p>
          )}
          {!s.own && <p>This series belongs to {s.owner.member}: its status changes on the owner's node and reaches this one over the federation link.</p>}

          {s.own && (
            <form onSubmit={saveNotes} aria-label="Restricted notes">
              <h2>Restricted notes</h2>
              <p className="muted">Never shared with peers.</p>
              <textarea aria-label="Notes" rows={4} maxLength={20_000} value={notes ?? s.notes ?? ''} onChange={(e) => setNotes(e.target.value)} />
              <Button type="submit" weight="primary" disabled={busy || notes === null}>
                Save notes
              </Button>
            </form>
          )}

          <section aria-labelledby="content-heading">
            <h2 id="content-heading">Linked content ({s.content_ids.length})</h2>
            {s.content_ids.length > 0 && <p className="content-ids">{s.content_ids.map((c) => `#${c}`).join(', ')}</p>}
            {s.own && (
              <form onSubmit={(e) => linkContent(e)}>
                <label>
                  Content ids <input value={link} onChange={(e) => setLink(e.target.value)} placeholder="12, 15" />
                </label>{' '}
                <Button type="submit" weight="primary" disabled={busy || !link.trim()}>
                  Link
                </Button>{' '}
                <Button disabled={busy || !link.trim()} onClick={(e) => linkContent(e as unknown as FormEvent, true)}>
                  Unlink
                </Button>
              </form>
            )}
          </section>

          <section aria-labelledby="victims-heading">
            <h2 id="victims-heading">Victims identified ({s.victims.length})</h2>
            <p className="muted">Pseudonymous ids only: there is no field for a name.</p>
            {s.victims.length > 0 && (
              <DataTable
                caption="Victims identified"
                className="victims"
                columns={[
                  { key: 'uid', header: 'Victim', sort: (v) => v.uid, cell: (v) => <code>{v.uid}</code> },
                  { key: 'on', header: 'Identified on', sort: (v) => v.identified_on, cell: (v) => v.identified_on },
                  { key: 'by', header: 'By', sort: (v) => v.identified_by, cell: (v) => v.identified_by },
                  {
                    key: 'referred',
                    header: 'Referred to',
                    cell: (v) => (v.referrals.length ? v.referrals.map((r) => `${r.service} (${r.referred_on})`).join('; ') : 'not yet'),
                  },
                  ...(s.own
                    ? [
                        {
                          key: 'refer',
                          header: 'Refer',
                          cell: (v: Victim) => (
                            <>
                              <select
                                aria-label={`Service for ${v.uid}`}
                                value={referTo[v.id] ?? ''}
                                onChange={(e) => setReferTo({ ...referTo, [v.id]: e.target.value })}
                              >
                                <option value="">choose a service</option>
                                {serviceOptions}
                              </select>{' '}
                              <Button disabled={busy || !referTo[v.id]} onClick={() => void refer(v.id)}>
                                Refer
                              </Button>
                            </>
                          ),
                        },
                      ]
                    : []),
                ]}
                rows={s.victims}
                rowKey={(v) => v.id}
                rowProps={(v) => ({ 'data-victim': v.uid })}
                pageSize={25}
              />
            )}
            {s.own && s.status !== 'closed' && (
              <form onSubmit={identify} aria-label="Record an identified victim">
                <h3>Record an identified victim</h3>
                <label>
                  Identified on <input type="date" required value={identifiedOn} onChange={(e) => setIdentifiedOn(e.target.value)} />
                </label>{' '}
                <label>
                  Refer to{' '}
                  <select value={serviceId} onChange={(e) => setServiceId(e.target.value)}>
                    <option value="">no referral yet</option>
                    {serviceOptions}
                  </select>
                </label>{' '}
                <Button type="submit" weight="primary" disabled={busy}>
                  Record victim
                </Button>
              </form>
            )}
          </section>
        </>
      )}
      {dialog}
    </>
  );
}
