/**
 * Submissions: a member's platform sends what it received (the media, or its hashes computed on
 * the platform) with its context; the node matches every signal, lets the action rules decide,
 * and answers at once — block, hold for review, or allow. Every submission is kept as hashes and
 * context only (media only while a review needs it), so re-uploads of confirmed content are
 * blocked on sight and counted, and content hashed earlier can be matched when a bank grows.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { isCountryCode } from '../geo/countries.js';
import type { AuditLog } from '../audit/audit-log.js';
import { AllianceError } from '../errors/catalogue.js';
import { type BatchOutcome, hitIds, type LookupOptions, type LookupService } from '../match/lookup-service.js';
import { requirePermission, type Principal } from '../members/principal.js';
import { getSignalType } from '../signals/index.js';
import {
  contentLockKey,
  earlierSubmission,
  setContentReview,
  enqueueDelivery,
  type Executor,
  getSubmission,
  groupMatchContexts,
  insertReviewItem,
  insertSubmission,
  markMediaNotStored,
  now,
  parseJson,
  reviewOfSubmission,
  setSubmissionMatches,
  type Store,
  type Submission,
  webhookByName,
} from '../store/index.js';
import type { MediaVault } from './media-vault.js';
import { reviewPriority } from './priority.js';
import type { RuleService } from './rule-service.js';
import { evaluate, type ActionKind, type ActionMatch, type Evaluation } from './rules.js';
import { parseIsoTime } from '../time/iso-time.js';

export interface Account {
  id?: string;
  name?: string;
  email?: string;
  /** ISO 3166-1 alpha-2, when the platform knows the account's country. */
  country?: string;
}

export interface SubmissionInput {
  /** signal type → value (from the platform's own hashing, or computed here from `media`). */
  signals: Record<string, string>;
  source?: string;
  external_id?: string;
  url?: string;
  ip?: string;
  account?: Account;
  /** When the platform received the upload: ISO 8601 or epoch ms. */
  uploaded_at?: string | number;
  /** The media itself, kept (encrypted) only if a review needs it. */
  media?: { bytes: Buffer; type: string };
}

export type Decision = 'allow' | 'review' | 'block';

export interface SubmissionResult {
  id: number;
  decision: Decision;
  actions: ActionKind[];
  matches: ActionMatch[];
  /** The earlier submission of the same content, when this is a re-upload. */
  reupload_of: number | null;
  review_id: number | null;
  /** Where on the platform it came from, the platform's id of it, and when this node received it. */
  source: string;
  external_id: string | null;
  received_at: string;
  rules: string[];
}

const invalid = (m: string) => new AllianceError('SUBMISSION_INVALID', m);
export const valueKey = (value: string) => createHash('sha256').update(value).digest('hex');

/** Checks the context a platform sends; returns it in stored form. */
function checkContext(input: SubmissionInput) {
  const source = input.source ?? 'upload';
  if (!/^[\w.:-]{1,64}$/.test(source)) throw invalid('source: 1–64 letters, digits, or . _ : -');
  if (input.external_id !== undefined && (typeof input.external_id !== 'string' || input.external_id.length > 256))
    throw invalid('external_id: a string of at most 256 characters');
  if (input.ip !== undefined && !isIP(input.ip)) throw invalid(`ip: "${String(input.ip).slice(0, 60)}" is not an IPv4 or IPv6 address`);
  if (input.url !== undefined) {
    let u: URL | undefined;
    try {
      u = new URL(input.url);
    } catch {
      u = undefined;
    }
    if (!u || !['http:', 'https:'].includes(u.protocol) || input.url.length > 4096) throw invalid('url: an http(s) URL of at most 4096 characters');
  }
  let account: Account | null = null;
  if (input.account !== undefined) {
    const a = input.account as Record<string, unknown>;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) throw invalid('account: an object with id, name, email, country');
    const extra = Object.keys(a).filter((k) => !['id', 'name', 'email', 'country'].includes(k));
    if (extra.length) throw invalid(`account: unknown field(s) ${extra.join(', ')}`);
    for (const [k, v] of Object.entries(a)) if (typeof v !== 'string' || v.length > 256) throw invalid(`account.${k}: a string of at most 256 characters`);
    if (a.country !== undefined && !isCountryCode(String(a.country).toUpperCase()))
      throw invalid(`account.country: "${String(a.country).slice(0, 10)}" is not an ISO 3166-1 alpha-2 country code`);
    account = { ...(a as Account), ...(a.country ? { country: (a.country as string).toUpperCase() } : {}) };
  }
  let uploadedAt: number | null = null;
  if (input.uploaded_at !== undefined) {
    const u = input.uploaded_at;
    uploadedAt = typeof u === 'number' ? u : /^\d+$/.test(u) ? Number(u) : (parseIsoTime(u) ?? NaN);
    if (!Number.isFinite(uploadedAt) || uploadedAt < 0 || uploadedAt > now() + 5 * 60_000)
      throw invalid('uploaded_at: an ISO 8601 time or epoch ms, not in the future');
  }
  return { source, external_id: input.external_id ?? null, url: input.url ?? null, ip: input.ip ?? null, account, uploaded_at: uploadedAt };
}

export class SubmissionService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditLog,
    private readonly lookup: LookupService,
    private readonly rules: RuleService,
    private readonly vault: MediaVault,
    /** Keep media for reviews (the serving node); processes without the shared review store do not. */
    private readonly keepMedia = true,
  ) {}

  async submit(actor: Principal, input: SubmissionInput): Promise<SubmissionResult> {
    requirePermission(actor, 'submit');
    const context = checkContext(input);
    const entries = Object.entries(input.signals ?? {});
    if (entries.length === 0) throw invalid('no signal: send media, or signals such as { "pdq": "…" }');
    const signals: Record<string, string> = {};
    for (const [type, value] of entries) {
      if (typeof value !== 'string') throw invalid(`signals.${type}: a string`);
      const t = getSignalType(type);
      signals[t.name] = t.normalize(value);
    }
    // The index now; the matched contents, the rules and the rest in the group's transaction
    // (PostgreSQL: the group reads its writes' match contexts and the rules' version at its start).
    const queried = await this.lookup.queryIndex(Object.entries(signals).map(([signal_type, signal]) => ({ signal_type, signal })));
    for (const q of queried) if (!('hits' in q)) throw q;
    const keys = Object.entries(signals).map(([signal_type, value]) => ({ signal_type, value_key: valueKey(value), value }));
    const received = now();

    // Concurrent submissions share one transaction and one fsync (group commit); each is answered after its commit.
    const result = await this.store.grouped(
      async (tx) => {
        const matches = actionMatches(await this.lookup.settle(queried, MATCH_OPTIONS, groupMatchContexts(tx)));
        const evaluation = evaluate(await this.rules.rules(tx), matches, context.source);
        const earlier = await earlierSubmission(tx, keys);
        let actions = evaluation.actions;
        // Content an analyst confirmed is blocked on sight; content an analyst rejected is not queued again.
        if (earlier?.review === 'confirmed') actions = [...new Set<ActionKind>([...actions, 'block'])];
        if (earlier?.review === 'rejected') actions = actions.filter((a) => a !== 'review' && a !== 'block');
        const decision: Decision = actions.includes('block') ? 'block' : actions.includes('review') ? 'review' : 'allow';
        const review = actions.includes('review') && !earlier?.review;
        const row = await insertSubmission(
          tx,
          {
            member_id: actor.memberId,
            ...context,
            account: context.account ? JSON.stringify(context.account) : null,
            received_at: received,
            signals: JSON.stringify(signals),
            matches: JSON.stringify(matches),
            decision,
            actions: JSON.stringify(actions),
            reupload_of: earlier?.id ?? null,
          },
          keys,
          review, // a review item will refer to it
        );
        // One review per content: a re-upload of content under review waits on that review.
        const media = this.keepMedia ? (input.media ?? null) : null;
        const reviewId = await this.followUp(tx, row, keys, evaluation, review, !earlier, media?.type ?? null, 'match');
        await this.audit.record(
          tx,
          actor,
          'submission',
          String(row.id),
          { decision, actions, reupload_of: row.reupload_of, matches: matches.length },
          matches.length,
        );
        return { row, reviewId, actions, matches, evaluation };
      },
      { locks: keys.map(contentLockKey), reads: hitIds(queried) },
    );
    if (result.reviewId !== null && input.media && this.keepMedia) {
      // The submission stands without its media: the review goes on from the hashes.
      await this.vault.put(result.reviewId, input.media.bytes).catch(async () => {
        await markMediaNotStored(this.store.db, result.reviewId!);
      });
    }
    // Answered from what was stored, without reading its JSON back.
    return {
      ...publicView(result.row, result.reviewId, { actions: result.actions, matches: result.matches }),
      rules: result.evaluation.rules.map((r) => r.name),
    };
  }

  /**
   * What a match sets going besides the answer: the review item (when `review`) and the webhook
   * deliveries of the rules that fired. Returns the review item's id.
   */
  private async followUp(
    tx: Executor,
    row: Submission,
    /** The submission's signal keys: the review, if one is made, is their content's. */
    keys: Array<{ signal_type: string; value_key: string }>,
    evaluation: Evaluation,
    review: boolean,
    firstSighting: boolean,
    mediaType: string | null,
    event: string,
  ): Promise<number | null> {
    let reviewId: number | null = null;
    const actions = evaluation.actions;
    if (review) {
      const item = await insertReviewItem(tx, {
        submission_id: row.id,
        priority: reviewPriority(evaluation.matches, firstSighting),
        reasons: JSON.stringify(evaluation.matches),
        pending_actions: JSON.stringify({ actions: actions.filter((a) => a === 'report' || a === 'notice'), webhooks: webhooksOf(evaluation) }),
        media_type: mediaType,
        media_stored: mediaType ? 1 : 0,
      });
      reviewId = item.id;
      await setContentReview(tx, reviewId, keys);
    }
    for (const name of actions.includes('webhook') ? webhooksOf(evaluation) : []) {
      const hook = await webhookByName(tx, name).catch(() => undefined); // removed since: nothing to deliver
      if (hook)
        await enqueueDelivery(tx, hook.id, event, {
          submission: { ...publicView(row, reviewId), ...(event === 'match' ? {} : { matches: evaluation.matches }) },
        });
    }
    return reviewId;
  }

  /**
   * Retroactive matching: a bank gained a signal that matches content submitted earlier (kept as
   * hashes). The submission is matched again; when the rules now want a review, and the content
   * has none yet, it is queued (without media: none was kept), and the rules' webhooks hear of it.
   * Returns whether anything was set going.
   */
  async retroMatch(submissionId: number): Promise<boolean> {
    const row = await getSubmission(this.store.db, submissionId);
    const matches = await this.match(parseJson<Record<string, string>>(row.signals, {}));
    const known = new Set(parseJson<ActionMatch[]>(row.matches, []).map((m) => `${m.content_id}/${m.signal_type}`));
    const fresh = matches.filter((m) => !known.has(`${m.content_id}/${m.signal_type}`));
    if (fresh.length === 0) return false;
    const evaluation = evaluate(await this.rules.rules(), fresh, row.source);
    if (evaluation.actions.length === 0) return false;
    return this.store.db.transaction().execute(async (tx) => {
      const reviewed = await reviewOfSubmission(tx, row.id);
      const keys = Object.entries(parseJson<Record<string, string>>(row.signals, {})).map(([signal_type, value]) => ({
        signal_type,
        value_key: valueKey(value),
      }));
      const earlier = await earlierSubmission(tx, keys);
      const review = evaluation.actions.includes('review') && !reviewed && !earlier?.review;
      // Kept with the submission, so the same match is never acted on twice.
      const all = [...parseJson<ActionMatch[]>(row.matches, []), ...fresh.map((m) => ({ ...m, retroactive: true }))];
      await setSubmissionMatches(tx, row.id, JSON.stringify(all));
      await this.followUp(tx, row, keys, evaluation, review, true, null, 'match.retroactive');
      await this.audit.record(
        tx,
        { memberId: null, memberName: 'node', role: 'admin', tokenId: null, actor: 'node:retroactive-match' },
        'submission.retroactive_match',
        String(row.id),
        { matches: fresh.length, actions: evaluation.actions, review },
        fresh.length,
      );
      return true;
    });
  }

  /** Every counted match of every signal, with the received content's uid. */
  private async match(signals: Record<string, string>): Promise<ActionMatch[]> {
    const queried = await this.lookup.queryIndex(Object.entries(signals).map(([signal_type, signal]) => ({ signal_type, signal })));
    for (const q of queried) if (!('hits' in q)) throw q;
    return actionMatches(await this.lookup.settle(queried, MATCH_OPTIONS));
  }
}

/** How the submission path looks up: the rules do not look at series; a submission keeps its contents' uids. */
const MATCH_OPTIONS: LookupOptions = { series: false, uids: true };

/** The matches that count, of every signal, as the rules see them. */
function actionMatches(outcomes: BatchOutcome[]): ActionMatch[] {
  const out: ActionMatch[] = [];
  for (const o of outcomes)
    for (const m of o.result?.matches ?? [])
      out.push({
        signal_type: m.signal_type,
        bank: m.bank,
        content_id: m.content_id,
        distance: m.distance,
        classification: m.classification,
        uid: m.content_uid ?? null,
      });
  return out;
}

function webhooksOf(e: Evaluation): string[] {
  return [...new Set(e.rules.filter((r) => r.actions.includes('webhook') && r.webhook).map((r) => r.webhook!))];
}

/** A submission as the API shows it. */
export function publicView(
  row: Submission,
  reviewId: number | null,
  /** The row's actions and matches, when the caller has them already (they are the row's JSON, parsed). */
  parsed?: { actions: ActionKind[]; matches: ActionMatch[] },
): Omit<SubmissionResult, 'rules'> & { source: string; external_id: string | null; received_at: string } {
  return {
    id: row.id,
    decision: row.decision as Decision,
    actions: parsed?.actions ?? parseJson<ActionKind[]>(row.actions, []),
    matches: parsed?.matches ?? parseJson<ActionMatch[]>(row.matches, []),
    reupload_of: row.reupload_of,
    review_id: reviewId,
    source: row.source,
    external_id: row.external_id,
    received_at: new Date(row.received_at).toISOString(),
  };
}
