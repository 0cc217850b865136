/**
 * How fast the chain acts, measured from what happened on this node (the reporting module's
 * inputs): upload → match → review → report / notice → removal, and re-uploads blocked. Each
 * duration is the median and 90th percentile over the period, in milliseconds.
 */
import { requirePermission, type Principal } from '../members/principal.js';
import { noticesCreated, reportsCreated, type Store, submissionsWithReviews } from '../store/index.js';

export interface Duration {
  count: number;
  median_ms: number | null;
  p90_ms: number | null;
}

export interface ActionMetrics {
  period: { from: string; to: string };
  submissions: number;
  matched: number;
  blocked: number;
  reuploads_blocked: number;
  reviews: { pending: number; confirmed: number; rejected: number };
  reports: { out: number; in: number; referral: number; informational: number };
  notices: { open: number; removed: number; gone: number };
  upload_to_match: Duration;
  match_to_review: Duration;
  review_to_report: Duration;
  review_to_notice: Duration;
  notice_to_removal: Duration;
  upload_to_removal: Duration;
}

function duration(values: number[]): Duration {
  const v = values.filter((x) => Number.isFinite(x) && x >= 0).sort((a, b) => a - b);
  const at = (q: number) => (v.length ? v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)] : null);
  return { count: v.length, median_ms: at(0.5), p90_ms: at(0.9) };
}

const count = <T>(xs: T[], f: (x: T) => boolean) => xs.filter(f).length;

/** The action metrics of submissions received in [from, to). */
export async function actionMetrics(store: Store, actor: Principal, from: number, to: number): Promise<ActionMetrics> {
  requirePermission(actor, 'reports');
  const db = store.db;
  const subs = await submissionsWithReviews(db, from, to);
  const reviewIds = subs.map((s) => s.review_id).filter((x): x is number => x !== null);
  const reports = await reportsCreated(db, from, to);
  const notices = await noticesCreated(db, from, to);
  const byReview = new Map(subs.filter((s) => s.review_id !== null).map((s) => [s.review_id!, s]));
  const bySubmission = new Map(subs.map((s) => [s.id, s]));
  const matched = subs.filter((s) => s.matches !== '[]');
  const closed = notices.filter((n) => n.status !== 'open' && n.closed_at !== null && n.first_sent_at !== null);
  return {
    period: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    submissions: subs.length,
    matched: matched.length,
    blocked: count(subs, (s) => s.decision === 'block'),
    reuploads_blocked: count(subs, (s) => s.decision === 'block' && s.reupload_of !== null),
    reviews: {
      pending: count(subs, (s) => s.review_status === 'pending'),
      confirmed: count(subs, (s) => s.review_status === 'confirmed'),
      rejected: count(subs, (s) => s.review_status === 'rejected'),
    },
    reports: {
      out: count(reports, (r) => r.direction === 'out' && r.status === 'finished'),
      in: count(reports, (r) => r.direction === 'in'),
      referral: count(reports, (r) => r.kind === 'referral'),
      informational: count(reports, (r) => r.kind === 'informational'),
    },
    notices: {
      open: count(notices, (n) => n.status === 'open'),
      removed: count(notices, (n) => n.status === 'removed'),
      gone: count(notices, (n) => n.status === 'gone'),
    },
    upload_to_match: duration(matched.filter((s) => s.uploaded_at !== null).map((s) => s.received_at - s.uploaded_at!)),
    match_to_review: duration(subs.filter((s) => s.decided_at !== null).map((s) => s.decided_at! - s.review_created!)),
    review_to_report: duration(
      reports
        .filter((r) => r.review_id !== null && reviewIds.includes(r.review_id) && r.finished_at !== null)
        .map((r) => r.finished_at! - byReview.get(r.review_id!)!.decided_at!),
    ),
    review_to_notice: duration(
      notices
        .filter((n) => n.review_id !== null && byReview.get(n.review_id)?.decided_at && n.first_sent_at !== null)
        .map((n) => n.first_sent_at! - byReview.get(n.review_id!)!.decided_at!),
    ),
    notice_to_removal: duration(closed.map((n) => n.closed_at! - n.first_sent_at!)),
    upload_to_removal: duration(
      closed
        .filter((n) => n.submission_id !== null && bySubmission.has(n.submission_id))
        .map((n) => {
          const s = bySubmission.get(n.submission_id!)!;
          return n.closed_at! - (s.uploaded_at ?? s.received_at);
        }),
    ),
  };
}
