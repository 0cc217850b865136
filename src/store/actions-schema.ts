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

/** Each submitted content by signal key: its first submission and the review it got (see earlierSubmission). */
export interface SubmissionContentsTable {
  signal_type: string;
  value_key: string;
  first_submission: number;
  review_item: number | null;
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
  submission_contents: SubmissionContentsTable;
  review_items: ReviewItemsTable;
  review_exposure: ReviewExposureTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Webhook = Selectable<WebhooksTable>;
export type ActionRuleRow = Selectable<ActionRulesTable>;
export type Submission = Selectable<SubmissionsTable>;
export type ReviewItem = Selectable<ReviewItemsTable>;
export type WebhookDelivery = Selectable<WebhookDeliveriesTable>;

export interface IncidentReportsTable {
  id: Generated<number>;
  /** "<member>/<id>": the same at the reporter and the receiver. */
  uid: string;
  /** 'out' (made here) or 'in' (received from a member). */
  direction: string;
  /** 'draft' or 'finished' (immutable: the database refuses changes). */
  status: string;
  /** JSON ReportBody (actions/report-model.ts). */
  body: string;
  /** The earlier report this one supplements. */
  prior_uid: string | null;
  submission_id: number | null;
  review_id: number | null;
  /** Jurisdiction found by routing, how it was found, and where the report went. */
  country: string | null;
  routing_basis: string | null;
  /** 'referral' or 'informational'. */
  kind: string | null;
  routed_to: string | null;
  from_member: string | null;
  created_by: string;
  created_at: number;
  finished_at: number | null;
}

export interface ReportDeliveriesTable {
  report_id: number;
  /** The peer it goes to (for the CyberTipline: "CyberTipline"). */
  peer: string;
  /** 'peer' (over the federation link) or 'cybertipline' (the CyberTipline submission job). */
  destination: Generated<ReportDestination>;
  /** 'pending', 'delivered' or 'failed' (retried by the job queue). */
  state: string;
  attempts: number;
  last_error: string | null;
  delivered_at: number | null;
  created_at: number;
}

/** Where a country's reports go: a peer, or the CyberTipline (NCMEC). */
export type ReportDestination = 'peer' | 'cybertipline';

export interface ReceivingAuthoritiesTable {
  country: string;
  /** The receiving peer (null when the destination is the CyberTipline). */
  peer_id: number | null;
  destination: Generated<ReportDestination>;
  created_at: number;
}

export interface HostingProvidersTable {
  id: Generated<number>;
  name: string;
  /** JSON array of host names; each covers its subdomains. */
  domains: string;
  abuse_url: string | null;
  abuse_email: string | null;
  created_at: number;
  /** Where the provider hosts (ISO 3166-1 alpha-2): the hosting country of its notices. */
  country: string | null;
}

export interface NoticesTable {
  id: Generated<number>;
  url: string;
  host: string;
  provider_id: number | null;
  /** JSON { signal_type: value }: what the content at the URL hashes to. */
  evidence: string;
  legal_basis: string;
  review_id: number | null;
  submission_id: number | null;
  /** 'open', 'removed' (the host said so, and a re-check agrees) or 'gone' (a re-check found it gone). */
  status: string;
  sends: number;
  created_at: number;
  first_sent_at: number | null;
  last_sent_at: number | null;
  next_action_at: number;
  closed_at: number | null;
  closed_by: string | null;
  /** Where the content was hosted (the provider's country, else the country of the host's address); null when unknown. */
  hosting_country: string | null;
}

export interface NoticeEventsTable {
  id: Generated<number>;
  notice_id: number;
  at: number;
  kind: string;
  detail: string | null;
}

export interface ReportTables {
  incident_reports: IncidentReportsTable;
  report_deliveries: ReportDeliveriesTable;
  receiving_authorities: ReceivingAuthoritiesTable;
  hosting_providers: HostingProvidersTable;
  notices: NoticesTable;
  notice_events: NoticeEventsTable;
}

export type IncidentReport = Selectable<IncidentReportsTable>;
export type HostingProvider = Selectable<HostingProvidersTable>;
export type Notice = Selectable<NoticesTable>;
