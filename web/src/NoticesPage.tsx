import { lazy, Suspense, useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import type { NoticeDetail, NoticeSummary } from './types';
import { Button } from './ui/Button';
import { DataTable, type Column } from './ui/DataTable';
import { EmptyState } from './ui/EmptyState';
import { Skeleton } from './ui/Skeleton';
import { useLoad } from './useLoad';
import { when } from './when';

// The chart library is loaded with the chart, not with the page's table.
const RemovalHistogram = lazy(() => import('./reporting/RemovalHistogram').then((m) => ({ default: m.RemovalHistogram })));

export const hours = (h: number | null) => (h === null ? '–' : h < 1 ? `${Math.round(h * 60)} min` : `${h.toFixed(1)} h`);
const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const at = (iso: string | null) => (iso ? Date.parse(iso) : null);

/** One notice's status timeline (every event the node recorded). */
function Timeline({ id }: { id: number }) {
  const n = useLoad(() => api<NoticeDetail>(`/notices/${id}`), [id]);
  if (n.error) return <ErrorMessage error={n.error} />;
  if (!n.data) return <Skeleton label="Loading the timeline…" lines={3} />;
  return (
    <section aria-label={`Timeline of notice ${id}`} className="timeline">
      <p>Legal basis: {n.data.legal_basis}</p>
      <ol>
        {n.data.events.map((e, i) => (
          <li key={i} data-event={e.kind}>
            <time dateTime={e.at}>{when(e.at)}</time> — {e.kind.replace(/_/g, ' ')}
            {e.detail && `: ${e.detail}`}
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The steps of a notice the list tells: created, sent, reminders, removal confirmed (or gone), and how long it took. */
export function steps(n: NoticeSummary): Array<{ step: string; at: string | null; text: string }> {
  const out: Array<{ step: string; at: string | null; text: string }> = [{ step: 'created', at: n.created_at, text: `created ${when(n.created_at)}` }];
  if (n.first_sent_at) out.push({ step: 'sent', at: n.first_sent_at, text: `sent ${when(n.first_sent_at)}` });
  else out.push({ step: 'not-sent', at: null, text: 'not sent yet' });
  const reminders = Math.max(0, n.sends - 1);
  if (reminders > 0)
    out.push({ step: 'reminder', at: n.last_sent_at, text: `${reminders} reminder${reminders === 1 ? '' : 's'}, the last ${when(n.last_sent_at)}` });
  if (n.status === 'removed')
    out.push({ step: 'removed', at: n.closed_at, text: `removal confirmed ${when(n.closed_at)}${n.closed_by ? ` (by ${n.closed_by})` : ''}` });
  else if (n.status === 'gone') out.push({ step: 'gone', at: n.closed_at, text: `gone at a re-check ${when(n.closed_at)}` });
  else if (n.next_action_at) out.push({ step: 'next', at: null, text: `open: next reminder ${when(n.next_action_at)}` });
  if (n.hours_to_removal !== null) out.push({ step: 'took', at: null, text: `${hours(n.hours_to_removal)} to removal` });
  return out;
}

/**
 * The notices of each host on one time axis: per notice a track from its creation to its removal
 * (or to now while open) with a mark for each step, and the steps in words beside it; the host's
 * counts and median time to removal above.
 */
function HostTimelines({ notices, now }: { notices: NoticeSummary[]; now: number }) {
  const hosts = new Map<string, NoticeSummary[]>();
  for (const n of notices) hosts.set(n.host, [...(hosts.get(n.host) ?? []), n]);
  const groups = [...hosts].sort(
    ([, a], [, b]) => b.filter((n) => n.status === 'open').length - a.filter((n) => n.status === 'open').length || b.length - a.length,
  );
  return (
    <div className="host-timelines">
      {groups.map(([host, list]) => {
        const start = Math.min(...list.map((n) => Date.parse(n.created_at)));
        const end = Math.max(...list.map((n) => at(n.closed_at) ?? now), start + 1);
        const x = (t: number) => `${(((t - start) / (end - start)) * 100).toFixed(2)}%`;
        const removed = list.filter((n) => n.status === 'removed');
        const open = list.filter((n) => n.status === 'open').length;
        const mid = median(list.flatMap((n) => (n.hours_to_removal === null ? [] : [n.hours_to_removal])));
        const provider = list.find((n) => n.provider)?.provider;
        return (
          <section key={host} className="host-timeline" aria-label={`Timeline of host ${host}`} data-host={host}>
            <h3>
              {host} <span className="muted">{provider ? `(${provider})` : '(no provider)'}</span>
            </h3>
            <p className="host-summary" data-testid="host-summary">
              {list.length} notice{list.length === 1 ? '' : 's'}: {removed.length} removed, {open} open
              {list.length - removed.length - open > 0 ? `, ${list.length - removed.length - open} gone` : ''}; median time to removal {hours(mid)}.
            </p>
            {list.map((n) => {
              const track = steps(n).filter((s) => s.at);
              const last = at(n.closed_at) ?? now;
              return (
                <div key={n.id} className="notice-track" data-notice-track={n.id}>
                  <code title={n.url}>{n.url.length > 48 ? `${n.url.slice(0, 45)}…` : n.url}</code>
                  <div>
                    <div className="track" aria-hidden="true">
                      <span className="span" style={{ left: x(Date.parse(n.created_at)), width: `calc(${x(last)} - ${x(Date.parse(n.created_at))})` }} />
                      {track.map((s) => (
                        <span key={s.step} className="mark" data-step={s.step} style={{ left: x(Date.parse(s.at!)) }} title={s.text} />
                      ))}
                    </div>
                    <ul className="notice-steps">
                      {steps(n).map((s) => (
                        <li key={s.step} data-step={s.step}>
                          {s.text}
                        </li>
                      ))}
                    </ul>
                  </div>
                </div>
              );
            })}
          </section>
        );
      })}
    </div>
  );
}

const LEGEND: Array<[string, string, string]> = [
  ['created', 'created', '#8a96a3'],
  ['sent', 'sent', '#1f5fa8'],
  ['reminder', 'last reminder', '#d68a1f'],
  ['removed', 'removal confirmed', '#17663a'],
];

/** Takedown notices: re-sent until the host removes the content; by host, each on a timeline; and each with its events. */
export function NoticesPage() {
  const notices = useLoad(() => api<{ notices: NoticeSummary[] }>('/notices'), []);
  const [open, setOpen] = useState<number | null>(null);
  const list = notices.data?.notices ?? [];
  const columns: Array<Column<NoticeSummary>> = [
    { key: 'url', header: 'URL', rowHeader: true, sort: (n) => n.url, cell: (n) => <code>{n.url}</code> },
    { key: 'host', header: 'Host', sort: (n) => n.provider ?? n.host, cell: (n) => n.provider ?? `${n.host} (no provider)` },
    { key: 'status', header: 'Status', sort: (n) => n.status, cell: (n) => n.status },
    { key: 'sends', header: 'Sent', numeric: true, sort: (n) => n.sends, cell: (n) => n.sends },
    { key: 'first', header: 'First sent', sort: (n) => n.first_sent_at, cell: (n) => when(n.first_sent_at) },
    { key: 'removal', header: 'Time to removal', numeric: true, sort: (n) => n.hours_to_removal, cell: (n) => hours(n.hours_to_removal) },
    {
      key: 'timeline',
      header: 'Timeline',
      hiddenHeader: true,
      cell: (n) => (
        <Button aria-expanded={open === n.id} onClick={() => setOpen(open === n.id ? null : n.id)}>
          Timeline
        </Button>
      ),
    },
  ];
  return (
    <>
      <PageHeading title="Notices" />
      <p>Each notice is re-sent on schedule until the host confirms removal or a re-check shows the content gone.</p>
      <ErrorMessage error={notices.error} />
      {notices.loading && !notices.data && <Skeleton label="Loading notices…" table={{ columns: 7 }} />}
      {notices.data && list.length === 0 && (
        <EmptyState>No notices yet: a confirmed review whose rule sends notices, or POST /api/v1/notices, makes one.</EmptyState>
      )}
      {list.length > 0 && (
        <>
          <DataTable
            caption="Notices"
            className="notices"
            columns={columns}
            rows={list}
            rowKey={(n) => n.id}
            rowProps={(n) => ({ 'data-notice': n.id })}
            pageSize={25}
          />
          {open !== null && <Timeline id={open} />}
          <section aria-labelledby="hosts-heading">
            <h2 id="hosts-heading">By host</h2>
            <ul className="timeline-legend" aria-label="Marks on the timelines">
              {LEGEND.map(([step, label, colour]) => (
                <li key={step}>
                  <span className="dot" style={{ background: colour }} aria-hidden="true" />
                  {label}
                </li>
              ))}
            </ul>
            <HostTimelines notices={list} now={Date.now()} />
          </section>
          <section aria-labelledby="removal-heading" className="charts">
            <h2 id="removal-heading">Removal times</h2>
            <Suspense fallback={<Skeleton label="Loading the chart…" lines={4} />}>
              <RemovalHistogram hours={list.flatMap((n) => (n.hours_to_removal === null ? [] : [n.hours_to_removal]))} />
            </Suspense>
          </section>
        </>
      )}
    </>
  );
}
