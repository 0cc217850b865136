/**
 * The review queue: matches an analyst must confirm or reject, most urgent first. Wellbeing by
 * default: the UI shows media blurred and greyscale, a reveal is an explicit act counted per
 * analyst per day, and media is deleted with the verdict (or by the retention rule). A verdict
 * becomes an opinion on the matched content — recorded here for own content, sent back to the
 * origin (a durable job, retried) for content received from a peer.
 */
import { isoOrNull } from '../time/iso-time.js';
import { atMostEvery, type BackgroundTask } from '../jobs/background.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { requirePermission, type Principal } from '../members/principal.js';
import {
  countPending,
  countReveal,
  dayOf,
  decideReviewItem,
  enqueueDelivery,
  enqueueJob,
  expireReviewMedia,
  exposure,
  getReviewItem,
  getSubmission,
  listReviewItems,
  now,
  parseJson,
  type ReviewItem,
  reviewsWithMedia,
  type Store,
  upsertOpinion,
  webhookByName,
} from '../store/index.js';
import type { MediaVault } from './media-vault.js';
import type { ActionKind, ActionMatch } from './rules.js';

export const OPINION_JOB = 'opinion.send';
/** After a confirmation: the report and the notice the rules asked for. */
export const REVIEW_FOLLOWUP_JOB = 'review.followup';
export type Verdict = 'confirmed' | 'rejected';

export interface ReviewView {
  id: number;
  submission_id: number;
  status: string;
  priority: number;
  reasons: ActionMatch[];
  signals: Record<string, string>;
  source: string;
  url: string | null;
  media: boolean;
  media_type: string | null;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  verdict_note: string | null;
  /** Actions that run once the match is confirmed. */
  next_actions: ActionKind[];
}

interface Pending {
  actions: ActionKind[];
  webhooks: string[];
}

const today = () => dayOf(now());

function view(r: ReviewItem & { source: string; signals: string; url: string | null }): ReviewView {
  return {
    id: r.id,
    submission_id: r.submission_id,
    status: r.status,
    priority: r.priority,
    reasons: parseJson<ActionMatch[]>(r.reasons, []),
    signals: parseJson<Record<string, string>>(r.signals, {}),
    source: r.source,
    url: r.url,
    media: r.media_stored === 1,
    media_type: r.media_type,
    created_at: isoOrNull(r.created_at)!,
    decided_at: isoOrNull(r.decided_at),
    decided_by: r.decided_by,
    verdict_note: r.verdict_note,
    next_actions: parseJson<Pending>(r.pending_actions, { actions: [], webhooks: [] }).actions,
  };
}

export class ReviewService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly vault: MediaVault,
  ) {}

  async queue(
    actor: Principal,
    status: 'pending' | 'decided' | 'all' = 'pending',
    limit = 50,
    offset = 0,
  ): Promise<{ items: ReviewView[]; pending: number; reveals_today: number }> {
    requirePermission(actor, 'reviews.decide');
    const rows = await listReviewItems(this.store.db, status, Math.min(limit, 500), offset);
    return { items: rows.map(view), pending: await countPending(this.store.db), reveals_today: await exposure(this.store.db, actor.actor, today()) };
  }

  async item(actor: Principal, id: number): Promise<ReviewView> {
    requirePermission(actor, 'reviews.decide');
    const r = await getReviewItem(this.store.db, id);
    const s = await getSubmission(this.store.db, r.submission_id);
    return view({ ...r, source: s.source, signals: s.signals, url: s.url });
  }

  /** The decrypted media of a pending review (shown veiled until the analyst reveals it). */
  async media(actor: Principal, id: number): Promise<{ bytes: Buffer; type: string }> {
    requirePermission(actor, 'reviews.decide');
    const r = await getReviewItem(this.store.db, id);
    if (r.media_stored !== 1)
      throw new AllianceError(
        'MEDIA_GONE',
        `the media of review ${id} is no longer kept (${r.status === 'pending' ? 'retention period over' : 'verdict given'}); its hashes remain`,
      );
    const bytes = await this.vault.get(id);
    this.audit.recordRead(actor, 'review.media', String(id), {}, 1);
    return { bytes, type: r.media_type ?? 'application/octet-stream' };
  }

  /** Counts the analyst's reveal of a review's media; returns the analyst's reveals today. */
  async reveal(actor: Principal, id: number): Promise<{ reveals_today: number }> {
    requirePermission(actor, 'reviews.decide');
    await getReviewItem(this.store.db, id);
    const n = await countReveal(this.store.db, actor.actor, today());
    this.audit.recordRead(actor, 'review.reveal', String(id), { reveals_today: n }, 1);
    return { reveals_today: n };
  }

  /** Confirms or rejects a pending item, once; the media goes, the verdict flows on. */
  async decide(actor: Principal, id: number, verdict: Verdict, note: string | null): Promise<ReviewView> {
    requirePermission(actor, 'reviews.decide');
    if (verdict !== 'confirmed' && verdict !== 'rejected') throw new AllianceError('VALIDATION', 'verdict must be confirmed or rejected');
    if (note !== null && note.length > 2000) throw new AllianceError('VALIDATION', 'note: at most 2000 characters');
    await this.store.db.transaction().execute(async (tx) => {
      const item = await getReviewItem(tx, id);
      if (!(await decideReviewItem(tx, id, verdict, actor.actor, note))) throw new AllianceError('REVIEW_DECIDED', `review ${id} was ${item.status} already`);
      const opinion = verdict === 'confirmed' ? 'confirmed' : 'false_positive';
      const reasons = parseJson<ActionMatch[]>(item.reasons, []);
      for (const contentId of new Set(reasons.map((m) => m.content_id))) {
        const m = reasons.find((x) => x.content_id === contentId)!;
        if (m.uid) await enqueueJob(tx, OPINION_JOB, { content_id: contentId, opinion, reason: note });
        else if (actor.memberId !== null)
          await upsertOpinion(tx, { content_id: contentId, member_id: actor.memberId, opinion, reason: note }).catch(() => undefined); // content deleted since
      }
      const pending = parseJson<Pending>(item.pending_actions, { actions: [], webhooks: [] });
      if (verdict === 'confirmed' && pending.actions.length > 0) await enqueueJob(tx, REVIEW_FOLLOWUP_JOB, { review_id: id });
      for (const name of pending.webhooks) {
        const hook = await webhookByName(tx, name).catch(() => undefined);
        if (hook)
          await enqueueDelivery(tx, hook.id, 'review.decided', {
            review: { id, submission_id: item.submission_id, verdict, decided_at: new Date().toISOString() },
          });
      }
      await this.audit.record(tx, actor, `review.${verdict === 'confirmed' ? 'confirm' : 'reject'}`, String(id), { note, opinions: reasons.length });
    });
    await this.vault.delete(id);
    return this.item(actor, id);
  }

  /** The media sweep, on the actions timer but at most once a minute. */
  backgroundTasks(retentionDays: number, tickMs: number): BackgroundTask[] {
    return [{ name: 'review media sweep', intervalMs: tickMs, run: atMostEvery(60_000, () => this.sweep(retentionDays)) }];
  }

  /**
   * Deletes media kept past the retention period for reviews still waiting, and any file no
   * review needs (left by a crash between a verdict and the file's deletion, or written after a
   * verdict that came first). Returns how many files went.
   */
  async sweep(retentionDays: number): Promise<number> {
    const expired = await expireReviewMedia(this.store.db, now() - retentionDays * 86_400_000);
    for (const id of expired) await this.vault.delete(id);
    const files = await this.vault.ids();
    const needed = new Set(await reviewsWithMedia(this.store.db, files));
    const orphans = files.filter((id) => !needed.has(id));
    for (const id of orphans) await this.vault.delete(id);
    return expired.length + orphans.length;
  }
}
