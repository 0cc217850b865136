/** Tables of the actions module (migration 0004): rules, submissions, reviews, webhooks. */
import type { Generated, Selectable } from 'kysely';

export interface WebhooksTable {
  id: Generated<number>;
  name: string;
  url: string;
  /** HMAC-SHA256 key of the deliveries' signatures. */
  secret: string;
  enabled: number;
  created_at: number;
}

export interface ActionRulesTable {
  id: Generated<number>;
  name: string;
  enabled: number;
  /** JSON RuleConditions (actions/rules.ts). */
  conditions: string;
  /** JSON array of ActionKind. */
  actions: string;
  webhook_id: number | null;
  created_at: number;
  updated_at: number;
}

export interface SubmissionsTable {
  id: Generated<number>;
  /** The member whose token submitted it. */
  member_id: number | null;
  /** Where on the platform the content came from (e.g. "upload", "profile-photo"). */
  source: string;
  /** The platform's own id of the content. */
  external_id: string | null;
  url: string | null;
  ip: string | null;
  /** JSON: the account that uploaded it ({ id, name, email, country }). */
  account: string | null;
  /** When the platform received the upload (epoch ms), if it said. */
  uploaded_at: number | null;
  received_at: number;
  /** JSON { signal_type: value }. */
  signals: string;
  /** JSON array of ActionMatch. */
  matches: string;
  /** 'allow', 'review' or 'block'. */
  decision: string;
  /** JSON array of the actions the rules chose. */
  actions: string;
  /** The earlier submission of the same content, if this is a re-upload. */
  reupload_of: number | null;
}

export interface SubmissionSignalsTable {
  submission_id: number;
  signal_type: string;
  /** SHA-256 of the value (vPDQ values are too long for a B-tree key). */
  value_key: string;
  value: string;
}

export interface ReviewItemsTable {
  id: Generated<number>;
  submission_id: number;
  /** 'pending', 'confirmed' or 'rejected'. */
  status: string;
  /** Lower first (see actions/priority.ts). */
  priority: number;
  /** JSON array of ActionMatch: why it is in the queue. */
  reasons: string;
  /** JSON array of ActionKind to run once confirmed. */
  pending_actions: string;
  media_type: string | null;
  /** 1 while the encrypted media is kept for this review. */
  media_stored: number;
  created_at: number;
  decided_at: number | null;
  decided_by: string | null;
  verdict_note: string | null;
}

export interface ReviewExposureTable {
  actor: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  reveals: number;
}

export interface WebhookDeliveriesTable {
  id: Generated<number>;
  webhook_id: number;
  event: string;
  payload: string;
  /** 'pending', 'delivered' or 'dead'. */
  state: string;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  last_status: number | null;
  created_at: number;
  delivered_at: number | null;
}

export interface ActionsTables {
  webhooks: WebhooksTable;
  action_rules: ActionRulesTable;
  submissions: SubmissionsTable;
  submission_signals: SubmissionSignalsTable;
  review_items: ReviewItemsTable;
  review_exposure: ReviewExposureTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Webhook = Selectable<WebhooksTable>;
export type ActionRuleRow = Selectable<ActionRulesTable>;
export type Submission = Selectable<SubmissionsTable>;
export type ReviewItem = Selectable<ReviewItemsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;
