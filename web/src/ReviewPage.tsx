import { useEffect, useRef, useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { ReviewMedia } from './ReviewMedia';
import type { ReviewItem } from './types';
import { useConfirm } from './ui/Dialog';
import { EmptyState } from './ui/EmptyState';
import { Skeleton } from './ui/Skeleton';
import { useToast } from './ui/Toasts';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { BulkVerdicts, ReviewQueue as Queue } from '../../src/api/contract/index.js';
import { Button } from './ui/Button';

type BankLine = ReviewItem['banks'][number];

const SIGNAL_NAMES: Record<string, string> = { pdq: 'PDQ', vpdq: 'vPDQ', md5: 'MD5', sha256: 'SHA-256', sha1: 'SHA-1', pdna: 'PhotoDNA' };
const signalName = (t: string) => SIGNAL_NAMES[t] ?? t;

/** A bank's line: its best match in words (vPDQ as the share of frames that match), and what it is classified as. */
const bankLine = (b: BankLine): string => {
  const match = b.exact
    ? `exact ${signalName(b.signal_type)} match`
    : b.match_percent !== null
      ? `${signalName(b.signal_type)} ${b.match_percent}% of frames match`
      : `${signalName(b.signal_type)} distance ${b.distance}`;
  const cls = b.classification ? `${b.classification.scheme}:${b.classification.value} (${b.classification.legal})` : 'unclassified';
  return `${b.bank}: ${match}${b.matches > 1 ? ` (best of ${b.matches} matches)` : ''}, ${cls}`;
};

/** What confirming a review sets off, in words (its rule's pending actions). */
const CONSEQUENCES: Record<string, string> = {
  report: "files an incident report, routed to the authority of the reported user's country",
  notice: 'sends a takedown notice to the host, repeated until the content is removed',
  webhook: "calls the rule's webhooks",
  block: 'blocks re-uploads of the content',
};

const URGENCY: Record<ReviewItem['urgency']['level'], string> = { urgent: 'Urgent', high: 'High', normal: 'Normal', low: 'Low' };

/** The keys of the queue, shown on the page as they work. */
const SHORTCUTS: Array<[string, string]> = [
  ['j / ↓', 'next item'],
  ['k / ↑', 'previous item'],
  ['r', 'reveal or hide the media'],
  ['c', 'confirm (asks first)'],
  ['x', 'reject (asks first)'],
  ['s', 'select for bulk confirmation (exact matches of confirmed content only)'],
];

/** The break reminder's setting, kept in this browser. */
interface BreakSetting {
  reveals: number;
  minutes: number;
}
const BREAK_KEY = 'alliance.review.break';
const SESSION_KEY = 'alliance.review.session';
const DEFAULT_BREAK: BreakSetting = { reveals: 20, minutes: 45 };

function readJson<T>(storage: Storage, key: string, fallback: T): T {
  try {
    const v = storage.getItem(key);
    return v ? { ...fallback, ...(JSON.parse(v) as T) } : fallback;
  } catch {
    return fallback;
  }
}

/** This tab's exposure: reveals this session, and since the last break (when it began). */
interface Session {
  reveals: number;
  sinceBreak: number;
  breakAt: number;
}

/** The review queue, most urgent first: veiled media, reveal counted, confirm or reject once (each through a confirmation). */
export function ReviewPage() {
  const queue = useLoad(() => api<Queue>('/reviews?status=pending'), []);
  const [reveals, setReveals] = useState<number | null>(null);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [warnings, setWarnings] = useState<string[]>([]);
  const [current, setCurrent] = useState(0);
  const [selected, setSelected] = useState<number[]>([]);
  const [setting, setSetting] = useState<BreakSetting>(() => readJson(localStorage, BREAK_KEY, DEFAULT_BREAK));
  const [session, setSession] = useState<Session>(() => readJson(sessionStorage, SESSION_KEY, { reveals: 0, sinceBreak: 0, breakAt: Date.now() }));
  const [clock, setClock] = useState(() => Date.now());
  const { busy, error, run } = useAction({ toastErrors: true });
  const { ask, dialog } = useConfirm();
  const toast = useToast();
  const items = queue.data?.items ?? [];
  const articles = useRef<Record<number, HTMLElement | null>>({});

  useEffect(() => sessionStorage.setItem(SESSION_KEY, JSON.stringify(session)), [session]);
  useEffect(() => localStorage.setItem(BREAK_KEY, JSON.stringify(setting)), [setting]);
  useEffect(() => {
    const t = setInterval(() => setClock(Date.now()), 30_000);
    return () => clearInterval(t);
  }, []);

  const decide = async (item: ReviewItem, verdict: 'confirmed' | 'rejected') => {
    const effects = item.next_actions.map((a) => CONSEQUENCES[a] ?? a);
    const yes = await ask(
      verdict === 'confirmed'
        ? {
            title: `Confirm review ${item.id} as abuse material?`,
            body: (
              <p>
                Confirming {effects.length ? `${effects.join('; ')}` : 'records the match as confirmed'}, and deletes the kept media. A verdict cannot be
                undone.
              </p>
            ),
            confirm: 'Confirm the match',
            danger: true,
          }
        : {
            title: `Reject review ${item.id}?`,
            body: <p>Rejecting records that the match is not abuse material: nothing is sent, the kept media is deleted. A verdict cannot be undone.</p>,
            confirm: 'Reject the match',
          },
    );
    if (!yes) return;
    await run(`The verdict on review ${item.id} was not recorded`, async () => {
      const r = await api<{ warnings?: string[] }>(`/reviews/${item.id}/verdict`, { json: { verdict, note: notes[item.id] || null } });
      // Where the report cannot go is said now (no authority for its jurisdiction), not found out later.
      setWarnings((r.warnings ?? []).map((w) => `Review ${item.id}: ${w}`));
      toast.success(`Review ${item.id} ${verdict}.`);
      setSelected((s) => s.filter((id) => id !== item.id));
      queue.reload();
    });
  };

  const bulkConfirm = async () => {
    const chosen = items.filter((i) => selected.includes(i.id) && i.bulk.eligible);
    if (chosen.length === 0) return;
    const effects = [...new Set(chosen.flatMap((i) => i.next_actions))].map((a) => CONSEQUENCES[a] ?? a);
    const yes = await ask({
      title: `Confirm ${chosen.length} review${chosen.length === 1 ? '' : 's'} as abuse material?`,
      body: (
        <>
          <p>
            Sends one confirmation for reviews {chosen.map((i) => i.id).join(', ')}: each is an exact-hash match (MD5 or SHA-256) of content already confirmed.
            The server checks this again and refuses any item that is not.
          </p>
          <p>Confirming {effects.length ? effects.join('; ') : 'records the matches as confirmed'}, and deletes the kept media. A verdict cannot be undone.</p>
        </>
      ),
      confirm: `Confirm ${chosen.length} match${chosen.length === 1 ? '' : 'es'}`,
      danger: true,
    });
    if (!yes) return;
    await run('The bulk verdict was not recorded', async () => {
      const r = await api<BulkVerdicts>('/reviews/verdicts', { json: { verdict: 'confirmed', ids: chosen.map((i) => i.id) } });
      setWarnings([
        `Bulk verdict: ${r.confirmed} confirmed, ${r.refused} refused.`,
        ...r.results.flatMap((x) => [
          ...(x.status === 'refused' ? [`Review ${x.id} refused: ${x.message}`] : []),
          ...x.warnings.map((w) => `Review ${x.id}: ${w}`),
        ]),
      ]);
      setSelected([]);
      toast.success(`${r.confirmed} review${r.confirmed === 1 ? '' : 's'} confirmed.`);
      queue.reload();
    });
  };

  const reveal = (item: ReviewItem) => {
    setSession((s) => ({ ...s, reveals: s.reveals + 1, sinceBreak: s.sinceBreak + 1 }));
    void run('The reveal was not counted', async () => {
      const r = await api<{ reveals_today: number }>(`/reviews/${item.id}/reveal`, { method: 'POST' });
      setReveals(r.reveals_today);
    });
  };

  const index = Math.min(current, Math.max(0, items.length - 1));
  const focusItem = (i: number) => {
    setCurrent(i);
    const item = items[i];
    const el = item ? articles.current[item.id] : null;
    el?.focus();
    el?.scrollIntoView?.({ block: 'nearest' });
  };
  const toggle = (id: number) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));

  // The keyboard: not while typing in a field or while a confirmation is open (its own keys apply).
  const keys = useRef<(e: KeyboardEvent) => void>(() => undefined);
  keys.current = (e: KeyboardEvent) => {
    const target = e.target as HTMLElement | null;
    if (e.ctrlKey || e.metaKey || e.altKey || busy) return;
    if (target?.closest('input, textarea, select, dialog') || document.querySelector('dialog[open]')) return;
    const item = items[index];
    if (e.key === 'j' || e.key === 'ArrowDown') focusItem(Math.min(index + 1, items.length - 1));
    else if (e.key === 'k' || e.key === 'ArrowUp') focusItem(Math.max(index - 1, 0));
    else if (!item) return;
    else if (e.key === 'r') articles.current[item.id]?.querySelector<HTMLButtonElement>('.safe-image button')?.click();
    else if (e.key === 'c') void decide(item, 'confirmed');
    else if (e.key === 'x') void decide(item, 'rejected');
    else if (e.key === 's' && item.bulk.eligible) toggle(item.id);
    else return;
    e.preventDefault();
  };
  useEffect(() => {
    const on = (e: KeyboardEvent) => keys.current(e);
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, []);

  const today = reveals ?? queue.data?.reveals_today ?? 0;
  const minutes = Math.floor((clock - session.breakAt) / 60_000);
  const breakDue = (setting.reveals > 0 && session.sinceBreak >= setting.reveals) || (setting.minutes > 0 && minutes >= setting.minutes);
  const chosen = items.filter((i) => selected.includes(i.id) && i.bulk.eligible);
  return (
    <>
      <PageHeading title="Review" />
      <p>
        Matches waiting for a person, most urgent first (classification, new material, distance, age). Media is blurred and greyscale until you reveal it, and
        is deleted with your verdict.
      </p>
      <section className="exposure-panel" aria-label="Exposure">
        <p className="exposure" data-testid="exposure">
          Your reveals: <span data-testid="exposure-session">{session.reveals}</span> this session, <span data-testid="exposure-today">{today}</span> today
        </p>
        {breakDue && (
          <div className="break-reminder" role="alert">
            <p>
              Time for a break: {session.sinceBreak} reveal{session.sinceBreak === 1 ? '' : 's'} and {minutes} minute{minutes === 1 ? '' : 's'} since your last
              one.
            </p>
            <Button onClick={() => setSession((s) => ({ ...s, sinceBreak: 0, breakAt: Date.now() }))}>I took a break</Button>
          </div>
        )}
        <details className="break-setting">
          <summary>Break reminder</summary>
          <label>
            After reveals{' '}
            <input
              type="number"
              min={0}
              max={1000}
              value={setting.reveals}
              onChange={(e) => setSetting({ ...setting, reveals: Math.max(0, Number(e.target.value) || 0) })}
            />
          </label>{' '}
          <label>
            or after minutes{' '}
            <input
              type="number"
              min={0}
              max={600}
              value={setting.minutes}
              onChange={(e) => setSetting({ ...setting, minutes: Math.max(0, Number(e.target.value) || 0) })}
            />
          </label>{' '}
          <span className="muted">(0: never; kept in this browser)</span>
        </details>
      </section>
      <section className="shortcuts" aria-label="Keyboard shortcuts">
        <h2>Keyboard</h2>
        <ul>
          {SHORTCUTS.map(([k, what]) => (
            <li key={k}>
              <kbd>{k}</kbd> {what}
            </li>
          ))}
        </ul>
      </section>
      <ErrorMessage error={queue.error ?? error} />
      {warnings.map((w) => (
        <p key={w} className="off" role="status">
          {w}
        </p>
      ))}
      {items.some((i) => i.bulk.eligible) && (
        <p className="bulk-bar">
          <Button weight="primary" disabled={busy || chosen.length === 0} onClick={() => void bulkConfirm()}>
            Confirm {chosen.length} selected
          </Button>{' '}
          <span className="muted">Only exact-hash matches (MD5, SHA-256) of content already confirmed can be selected.</span>
        </p>
      )}
      {queue.data && items.length === 0 && <EmptyState>Nothing waits for review.</EmptyState>}
      {items.map((item, i) => (
        <article
          key={item.id}
          ref={(el) => {
            articles.current[item.id] = el;
          }}
          tabIndex={-1}
          className={`review-item${i === index ? ' current' : ''}`}
          data-review={item.id}
          aria-current={i === index ? 'true' : undefined}
          aria-labelledby={`review-${item.id}`}
          onFocus={() => setCurrent(i)}
        >
          <h2 id={`review-${item.id}`}>
            Review {item.id}{' '}
            <span className={`urgency urgency-${item.urgency.level}`} title={item.urgency.reason}>
              {URGENCY[item.urgency.level]}
            </span>
          </h2>
          <p className="muted urgency-reason">
            {item.urgency.reason[0].toUpperCase() + item.urgency.reason.slice(1)}; queued {when(item.created_at)}.
          </p>
          <dl className="review-context">
            <dt>Source</dt>
            <dd>
              {item.context.source} (submission {item.submission_id}, platform id {item.context.external_id})
            </dd>
            <dt>Account</dt>
            <dd>
              {item.context.account_id}, country {item.context.account_country}
            </dd>
            <dt>IP country</dt>
            <dd>{item.context.ip_country}</dd>
            <dt>URL</dt>
            <dd>{item.context.url === 'unknown' ? 'unknown' : <code>{item.context.url}</code>}</dd>
            <dt>Host</dt>
            <dd>{item.context.host}</dd>
            <dt>First seen</dt>
            <dd>{when(item.context.first_seen)}</dd>
            <dt>Re-uploads</dt>
            <dd>{item.context.reuploads}</dd>
          </dl>
          {item.media ? (
            <ReviewMedia id={item.id} type={item.media_type} onReveal={() => reveal(item)} />
          ) : (
            <p className="muted">No media kept: judge from the hashes and matches.</p>
          )}
          <ul className="reasons" aria-label={`Matching banks of review ${item.id}`}>
            {item.banks.map((b) => (
              <li key={b.bank}>{bankLine(b)}</li>
            ))}
          </ul>
          {item.next_actions.length > 0 && <p>On confirmation: {item.next_actions.join(', ')}.</p>}
          {item.bulk.eligible && (
            <label className="bulk-select">
              <input type="checkbox" checked={selected.includes(item.id)} onChange={() => toggle(item.id)} /> Select review {item.id} for bulk confirmation
            </label>
          )}
          <label>
            Note <input type="text" value={notes[item.id] ?? ''} maxLength={2000} onChange={(e) => setNotes({ ...notes, [item.id]: e.target.value })} />
          </label>{' '}
          <Button weight="primary" disabled={busy} onClick={() => void decide(item, 'confirmed')}>
            Confirm
          </Button>{' '}
          <Button disabled={busy} onClick={() => void decide(item, 'rejected')}>
            Reject
          </Button>
        </article>
      ))}
      {queue.loading && !queue.data && <Skeleton label="Loading the queue…" lines={6} />}
      {dialog}
    </>
  );
}
