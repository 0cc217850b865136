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
import { countryOfIp } from '../geo/ip-country.js';
import { SIGNAL_TYPES } from '../signals/index.js';
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
  opinionCounts,
  parseJson,
  type ReviewContextColumns,
  type ReviewItem,
  reviewsWithMedia,
  sightings,
  type Store,
  upsertOpinion,
  webhookByName,
} from '../store/index.js';
import type { MediaVault } from './media-vault.js';
import { describePriority, type UrgencyLevel } from './priority.js';
import type { ActionKind, ActionMatch } from './rules.js';

export const OPINION_JOB = 'opinion.send';
/** After a confirmation: the report and the notice the rules asked for. */
export const REVIEW_FOLLOWUP_JOB = 'review.followup';
export type Verdict = 'confirmed' | 'rejected';
/** Whether a signal type's match is the same file, byte for byte (a digest: MD5, SHA-1, SHA-256): the only matches a bulk verdict takes. */
export const isByteExact = (type: string): boolean => SIGNAL_TYPES.get(type)?.byteHasher !== undefined;
/** Frame types (vPDQ): the distance is 100 − the query's match percentage. */
const isFrameType = (type: string): boolean => SIGNAL_TYPES.get(type)?.comparison === 'frames';
/** At most this many items in one bulk verdict. */
export const MAX_BULK_VERDICTS = 100;
/** What the node does not know it says, never guesses. */
const UNKNOWN = 'unknown';

/** Where the content of a review came from, as far as the node knows ("unknown" where it does not). */
export interface ReviewContext {
  source: string;
  external_id: string;
  account_id: string;
  account_country: string;
  /** From the uploader's IP address (offline table); "unknown" without an IP or for a private one. */
  ip_country: string;
  url: string;
  host: string;
  /** When this node first received the content (its first submission). */
  first_seen: string;
  /** How many times it was submitted again after that. */
  reuploads: number;
}

/** The matches of a review in one bank: its best (nearest) match stands for all. */
export interface BankMatch {
  bank: string;
  signal_type: string;
  distance: number;
  /** vPDQ only: the share of the submission's frames that match (100 − its distance). */
  match_percent: number | null;
  exact: boolean;
  classification: ActionMatch['classification'];
  /** How many matches (content × signal type) this line stands for. */
  matches: number;
  content_ids: number[];
}

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
  context: ReviewContext;
  /** One line per bank, most severe first. */
  banks: BankMatch[];
  urgency: { level: UrgencyLevel; reason: string };
  /** Whether it may be decided in a bulk verdict: only exact-hash matches of already-confirmed content. */
  bulk: { eligible: boolean; reason: string };
}

interface Pending {
  actions: ActionKind[];
  webhooks: string[];
}

const today = () => dayOf(now());

type Row = ReviewItem & ReviewContextColumns;

const SEVERITY: Record<string, number> = { baseline: 0, national: 1, unknown: 2, not_illegal: 3 };

/** One line per bank with its best match (exact first, then the nearest), most severe bank first. */
export function bankLines(reasons: readonly ActionMatch[]): BankMatch[] {
  const byBank = new Map<string, ActionMatch[]>();
  for (const m of reasons) byBank.set(m.bank, [...(byBank.get(m.bank) ?? []), m]);
  const lines = [...byBank.entries()].map(([bank, ms]): BankMatch => {
    const exact = (m: ActionMatch) => isByteExact(m.signal_type);
    const best = [...ms].sort((a, b) => Number(exact(b)) - Number(exact(a)) || a.distance - b.distance)[0];
    const severest = [...ms].sort((a, b) => SEVERITY[a.classification?.legal ?? 'unknown'] - SEVERITY[b.classification?.legal ?? 'unknown'])[0];
    return {
      bank,
      signal_type: best.signal_type,
      distance: best.distance,
      match_percent: isFrameType(best.signal_type) ? Math.max(0, Math.min(100, Math.round((100 - best.distance) * 10) / 10)) : null,
      exact: exact(best),
      classification: severest.classification ?? null,
      matches: ms.length,
      content_ids: [...new Set(ms.map((m) => m.content_id))],
    };
  });
  const sev = (l: BankMatch) => SEVERITY[l.classification?.legal ?? 'unknown'];
  return lines.sort((a, b) => sev(a) - sev(b) || a.bank.localeCompare(b.bank));
}

function hostOf(url: string | null): string {
  if (!url) return UNKNOWN;
  try {
    return new URL(url).hostname || UNKNOWN;
  } catch {
    return UNKNOWN;
  }
}

/**
 * Whether a review may go in a bulk verdict: every content it matched must be matched by an exact
 * hash (MD5, SHA-256) and already confirmed (a confirmed opinion, none calling it a false positive).
 */
function bulkOf(reasons: readonly ActionMatch[], opinions: Map<number, Record<string, number>>): { eligible: boolean; reason: string } {
  if (reasons.length === 0) return { eligible: false, reason: 'no match recorded' };
  for (const id of new Set(reasons.map((m) => m.content_id))) {
    if (!reasons.some((m) => m.content_id === id && isByteExact(m.signal_type) && m.distance === 0))
      return { eligible: false, reason: `content ${id} is matched by similarity, not by an exact hash (MD5 or SHA-256)` };
    const o = opinions.get(id) ?? {};
    if (!o.confirmed) return { eligible: false, reason: `content ${id} has not been confirmed` };
    if (o.false_positive) return { eligible: false, reason: `content ${id} is also called a false positive` };
  }
  return { eligible: true, reason: 'exact-hash matches of confirmed content' };
}

function view(r: Row, seen: Map<number, { first_seen: number; reuploads: number }>, opinions: Map<number, Record<string, number>>): ReviewView {
  const reasons = parseJson<ActionMatch[]>(r.reasons, []);
  const account = parseJson<{ id?: string; country?: string } | null>(r.account, null);
  const first = seen.get(r.reupload_of ?? r.submission_id);
  return {
    id: r.id,
    submission_id: r.submission_id,
    status: r.status,
    priority: r.priority,
    reasons,
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
    context: {
      source: r.source,
      external_id: r.external_id ?? UNKNOWN,
      account_id: account?.id ?? UNKNOWN,
      account_country: account?.country?.toUpperCase() ?? UNKNOWN,
      ip_country: (r.ip ? countryOfIp(r.ip) : null) ?? UNKNOWN,
      url: r.url ?? UNKNOWN,
      host: hostOf(r.url),
      first_seen: isoOrNull(first?.first_seen ?? r.received_at)!,
      reuploads: first?.reuploads ?? 0,
    },
    banks: bankLines(reasons),
    urgency: describePriority(r.priority),
    bulk: bulkOf(reasons, opinions),
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
    return { items: await this.views(rows), pending: await countPending(this.store.db), reveals_today: await exposure(this.store.db, actor.actor, today()) };
  }

  async item(actor: Principal, id: number): Promise<ReviewView> {
    requirePermission(actor, 'reviews.decide');
    const r = await getReviewItem(this.store.db, id);
    const s = await getSubmission(this.store.db, r.submission_id);
    const [v] = await this.views([
      {
        ...r,
        source: s.source,
        received_at: s.received_at,
        signals: s.signals,
        url: s.url,
        ip: s.ip,
        account: s.account,
        external_id: s.external_id,
        reupload_of: s.reupload_of,
      },
    ]);
    return v;
  }

  /** The rows as the API shows them: with their sightings and the opinions on what they matched, read once for all. */
  private async views(rows: Row[]): Promise<ReviewView[]> {
    const seen = await sightings(this.store.db, [...new Set(rows.map((r) => r.reupload_of ?? r.submission_id))]);
    const contentIds = [...new Set(rows.flatMap((r) => parseJson<ActionMatch[]>(r.reasons, []).map((m) => m.content_id)))];
    const opinions = await opinionCounts(this.store.db, contentIds);
    return rows.map((r) => view(r, seen, opinions));
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

  /**
   * A bulk confirmation: each item is decided as decide() would, but only if it is an exact-hash
   * match of already-confirmed content (checked here, on the server, whatever the client sent);
   * any other item is refused on its own (REVIEW_NOT_BULK) and the rest go on.
   */
  async decideBulk(
    actor: Principal,
    ids: number[],
    note: string | null,
  ): Promise<Array<{ id: number; ok: true; item: ReviewView } | { id: number; ok: false; code: string; message: string }>> {
    requirePermission(actor, 'reviews.decide');
    if (ids.length === 0 || ids.length > MAX_BULK_VERDICTS) throw new AllianceError('VALIDATION', `ids: 1 to ${MAX_BULK_VERDICTS} review ids`);
    const out: Array<{ id: number; ok: true; item: ReviewView } | { id: number; ok: false; code: string; message: string }> = [];
    for (const id of [...new Set(ids)]) {
      try {
        const v = await this.item(actor, id);
        if (v.status !== 'pending') throw new AllianceError('REVIEW_DECIDED', `review ${id} was ${v.status} already`);
        if (!v.bulk.eligible) throw new AllianceError('REVIEW_NOT_BULK', `review ${id} cannot be confirmed in bulk: ${v.bulk.reason}; decide it on its own`);
        out.push({ id, ok: true, item: await this.decide(actor, id, 'confirmed', note) });
      } catch (e) {
        if (!(e instanceof AllianceError)) throw e;
        out.push({ id, ok: false, code: e.code, message: e.message });
      }
    }
    return out;
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
