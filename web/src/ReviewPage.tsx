import { useState } from 'react';
import { api } from './api';
import { ErrorMessage } from './ErrorMessage';
import { PageHeading } from './PageHeading';
import { ReviewMedia } from './ReviewMedia';
import type { ReviewItem } from './types';
import { useConfirm } from './ui/ConfirmDialog';
import { useAction } from './useAction';
import { useLoad } from './useLoad';
import { when } from './when';
import type { ReviewQueue as Queue } from '../../src/api/contract/index.js';

const label = (m: ReviewItem['reasons'][number]) =>
  `${m.bank} content ${m.content_id}: ${m.signal_type} distance ${m.distance}${m.classification ? `, ${m.classification.scheme}:${m.classification.value} (${m.classification.legal})` : ', unclassified'}`;

/** What confirming a review sets off, in words (its rule's pending actions). */
const CONSEQUENCES: Record<string, string> = {
  report: "files an incident report, routed to the authority of the reported user's country",
  notice: 'sends a takedown notice to the host, repeated until the content is removed',
  webhook: "calls the rule's webhooks",
  block: 'blocks re-uploads of the content',
};

/** The review queue, most urgent first: veiled media, reveal counted, confirm or reject once (each through a confirmation). */
export function ReviewPage() {
  const queue = useLoad(() => api<Queue>('/reviews?status=pending'), []);
  const [reveals, setReveals] = useState<number | null>(null);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [warnings, setWarnings] = useState<string[]>([]);
  const { busy, error, run } = useAction();
  const { ask, dialog } = useConfirm();
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
      queue.reload();
    });
  };
  const reveal = (item: ReviewItem) =>
    void run('The reveal was not counted', async () => {
      const r = await api<{ reveals_today: number }>(`/reviews/${item.id}/reveal`, { method: 'POST' });
      setReveals(r.reveals_today);
    });
  const today = reveals ?? queue.data?.reveals_today ?? 0;
  return (
    <>
      <PageHeading title="Review" />
      <p>
        Matches waiting for a person, most urgent first (classification, distance, new material, age). Media is blurred and greyscale until you reveal it, and
        is deleted with your verdict.
      </p>
      <p className="exposure" data-testid="exposure">
        Your reveals today: {today}
      </p>
      <ErrorMessage error={queue.error ?? error} />
      {warnings.map((w) => (
        <p key={w} className="off" role="status">
          {w}
        </p>
      ))}
      {queue.data && queue.data.items.length === 0 && <p>Nothing waits for review.</p>}
      {queue.data?.items.map((item) => (
        <article key={item.id} className="review-item" data-review={item.id} aria-labelledby={`review-${item.id}`}>
          <h2 id={`review-${item.id}`}>
            Review {item.id}{' '}
            <span className="muted">
              (priority {item.priority}, {item.source}, {when(item.created_at)})
            </span>
          </h2>
          {item.media ? (
            <ReviewMedia id={item.id} type={item.media_type} onReveal={() => reveal(item)} />
          ) : (
            <p className="muted">No media kept: judge from the hashes and matches.</p>
          )}
          <ul className="reasons">
            {item.reasons.map((m) => (
              <li key={`${m.content_id}-${m.signal_type}`}>{label(m)}</li>
            ))}
          </ul>
          {item.url && (
            <p>
              URL: <code>{item.url}</code>
            </p>
          )}
          {item.next_actions.length > 0 && <p>On confirmation: {item.next_actions.join(', ')}.</p>}
          <label>
            Note <input type="text" value={notes[item.id] ?? ''} maxLength={2000} onChange={(e) => setNotes({ ...notes, [item.id]: e.target.value })} />
          </label>{' '}
          <button type="button" disabled={busy} onClick={() => void decide(item, 'confirmed')}>
            Confirm
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => void decide(item, 'rejected')}>
            Reject
          </button>
        </article>
      ))}
      {queue.loading && !queue.data && <p>Loading the queue…</p>}
      {dialog}
    </>
  );
}
