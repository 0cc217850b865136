/**
 * Acting on matches: submissions, the review queue, action rules and webhooks, incident reports
 * (out and in) with their routing, hosting providers and takedown notices (src/actions/).
 */
import { Type, type Static } from 'typebox';
import { AnyJson, Classification, IsoTimeOut, Nullable } from './common.js';

const ActionKind = Type.Union([Type.Literal('review'), Type.Literal('report'), Type.Literal('notice'), Type.Literal('webhook'), Type.Literal('block')]);
const LegalStatus = Type.Union([Type.Literal('baseline'), Type.Literal('national'), Type.Literal('not_illegal'), Type.Literal('unknown')]);
const Hashes = Type.Record(Type.String(), Type.String());

/** `{ deleted: <id> }`: what a DELETE of a report or rule answers. */
export const ActionsDeletedId = Type.Object({ deleted: Type.Integer() });
export type ActionsDeletedId = Static<typeof ActionsDeletedId>;
/** `{ deleted: <name> }`: what a DELETE of a webhook, provider or receiving authority answers. */
export const ActionsDeletedName = Type.Object({ deleted: Type.String() });
export type ActionsDeletedName = Static<typeof ActionsDeletedName>;

// ---- submissions and reviews ------------------------------------------------------------------

/** One match of a submission, as the rules see it (src/actions/rules.ts). */
export const ActionMatch = Type.Object({
  signal_type: Type.String(),
  bank: Type.String(),
  content_id: Type.Integer(),
  distance: Type.Number(),
  classification: Nullable(Classification),
  uid: Nullable(Type.String()),
  retroactive: Type.Optional(Type.Boolean()),
});
export type ActionMatch = Static<typeof ActionMatch>;

/** POST /submissions (and /submissions/upload): the decision and what it set going. */
export const SubmissionResult = Type.Object({
  id: Type.Integer(),
  decision: Type.Union([Type.Literal('allow'), Type.Literal('review'), Type.Literal('block')]),
  actions: Type.Array(ActionKind),
  matches: Type.Array(ActionMatch),
  reupload_of: Nullable(Type.Integer()),
  review_id: Nullable(Type.Integer()),
  source: Type.String(),
  external_id: Nullable(Type.String()),
  received_at: IsoTimeOut,
  rules: Type.Array(Type.String()),
});
export type SubmissionResult = Static<typeof SubmissionResult>;

/** An item of the review queue. */
export const ReviewItem = Type.Object({
  id: Type.Integer(),
  submission_id: Type.Integer(),
  status: Type.String(),
  priority: Type.Number(),
  reasons: Type.Array(ActionMatch),
  signals: Hashes,
  source: Type.String(),
  url: Nullable(Type.String()),
  media: Type.Boolean(),
  media_type: Nullable(Type.String()),
  created_at: IsoTimeOut,
  decided_at: Nullable(IsoTimeOut),
  decided_by: Nullable(Type.String()),
  verdict_note: Nullable(Type.String()),
  /** Actions that run once the match is confirmed. */
  next_actions: Type.Array(ActionKind),
  /** Where the content came from; "unknown" wherever the node does not know (it never guesses). */
  context: Type.Object({
    source: Type.String(),
    external_id: Type.String(),
    account_id: Type.String(),
    account_country: Type.String({ description: 'ISO 3166-1 alpha-2 as the platform said, or "unknown"' }),
    ip_country: Type.String({ description: 'The uploader\'s IP address\'s country (offline table), or "unknown"' }),
    url: Type.String(),
    host: Type.String(),
    first_seen: IsoTimeOut,
    reuploads: Type.Integer({ minimum: 0 }),
  }),
  /** One line per matching bank, standing for its best match; most severe first. */
  banks: Type.Array(
    Type.Object({
      bank: Type.String(),
      signal_type: Type.String(),
      distance: Type.Number(),
      match_percent: Nullable(Type.Number({ description: 'vPDQ only: the share of frames that match' })),
      exact: Type.Boolean(),
      classification: Nullable(Classification),
      matches: Type.Integer(),
      content_ids: Type.Array(Type.Integer()),
    }),
  ),
  urgency: Type.Object({
    level: Type.Union([Type.Literal('urgent'), Type.Literal('high'), Type.Literal('normal'), Type.Literal('low')]),
    reason: Type.String(),
  }),
  /** Whether a bulk verdict may take it (only exact-hash matches of already-confirmed content), and why (not). */
  bulk: Type.Object({ eligible: Type.Boolean(), reason: Type.String() }),
});
export type ReviewItem = Static<typeof ReviewItem>;

/** GET /reviews: a page of the queue, with how many wait and the reviewer's reveals today. */
export const ReviewQueue = Type.Object({ items: Type.Array(ReviewItem), pending: Type.Integer(), reveals_today: Type.Integer() });
export type ReviewQueue = Static<typeof ReviewQueue>;

/** POST /reviews/:id/reveal. */
export const RevealCount = Type.Object({ reveals_today: Type.Integer() });
export type RevealCount = Static<typeof RevealCount>;

/** POST /reviews/:id/verdict: the decided item, with what could not be done as asked. */
export const ReviewDecided = Type.Object({ ...ReviewItem.properties, warnings: Type.Array(Type.String()) });
export type ReviewDecided = Static<typeof ReviewDecided>;

/** POST /reviews/verdicts: per item, its decided state or why it was refused. */
export const BulkVerdicts = Type.Object({
  confirmed: Type.Integer(),
  refused: Type.Integer(),
  results: Type.Array(
    Type.Object({
      id: Type.Integer(),
      status: Type.Union([Type.Literal('confirmed'), Type.Literal('refused')]),
      code: Nullable(Type.String()),
      message: Nullable(Type.String()),
      warnings: Type.Array(Type.String()),
    }),
  ),
});
export type BulkVerdicts = Static<typeof BulkVerdicts>;

// ---- rules and webhooks -----------------------------------------------------------------------

/** An action rule: conditions on a match → actions. */
export const ActionRule = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  enabled: Type.Boolean(),
  conditions: Type.Object({
    banks: Type.Optional(Type.Array(Type.String())),
    legal: Type.Optional(Type.Array(LegalStatus)),
    classifications: Type.Optional(Type.Array(Type.String())),
    max_distance: Type.Optional(Type.Integer()),
    signal_types: Type.Optional(Type.Array(Type.String())),
    sources: Type.Optional(Type.Array(Type.String())),
  }),
  actions: Type.Array(ActionKind),
  webhook: Nullable(Type.String()),
});
export type ActionRule = Static<typeof ActionRule>;

export const ActionRuleList = Type.Object({ rules: Type.Array(ActionRule) });
export type ActionRuleList = Static<typeof ActionRuleList>;

/** A rule's dry run: `matched` of the `examined` latest submissions (at most `window`) would have made it fire. */
export const RuleDryRun = Type.Object({ matched: Type.Integer(), examined: Type.Integer(), window: Type.Integer() });
export type RuleDryRun = Static<typeof RuleDryRun>;

/** A webhook receiver (its secret is never shown). */
export const Webhook = Type.Object({ name: Type.String(), url: Type.String(), enabled: Type.Boolean(), created_at: IsoTimeOut });
export type Webhook = Static<typeof Webhook>;

export const WebhookList = Type.Object({ webhooks: Type.Array(Webhook) });
export type WebhookList = Static<typeof WebhookList>;

/** A webhook delivery (state dead: the dead-letter list). */
export const WebhookDelivery = Type.Object({
  id: Type.Integer(),
  webhook: Type.String(),
  event: Type.String(),
  state: Type.String(),
  attempts: Type.Integer(),
  next_attempt_at: Nullable(IsoTimeOut),
  last_status: Nullable(Type.Integer()),
  last_error: Nullable(Type.String()),
  created_at: IsoTimeOut,
  delivered_at: Nullable(IsoTimeOut),
  /** The JSON document delivered. */
  payload: AnyJson,
});
export type WebhookDelivery = Static<typeof WebhookDelivery>;

export const WebhookDeliveryList = Type.Object({ deliveries: Type.Array(WebhookDelivery) });
export type WebhookDeliveryList = Static<typeof WebhookDeliveryList>;

export const WebhookReplayed = Type.Object({ replayed: Type.Integer() });
export type WebhookReplayed = Static<typeof WebhookReplayed>;

// ---- incident reports -------------------------------------------------------------------------

/** A file of a report (src/actions/report-model.ts). */
const ReportFile = Type.Object({
  file_name: Type.Optional(Type.String()),
  hashes: Hashes,
  classification: Type.Optional(Type.String()),
  location_url: Type.Optional(Type.String()),
  publicly_available: Type.Optional(Type.Boolean()),
  viewed_by_reporter: Type.Optional(Type.Boolean()),
  annotations: Type.Optional(Type.Array(Type.String())),
});

/** Where a report's CyberTipline submission stands: pending, submitting, open, finished, rejected, retracted, uncertain. */
export const CyberTiplineState = Type.Object({
  status: Type.String(),
  environment: Type.String(),
  report_id: Nullable(Type.String({ description: "The CyberTipline's report id, once it answered the submit" })),
  response_code: Nullable(Type.Integer({ description: "The service's last responseCode (0: success)" })),
  error: Nullable(Type.String({ description: "The service's responseDescription of a refusal, or why the last attempt stopped" })),
  finished_at: Nullable(IsoTimeOut),
});
export type CyberTiplineState = Static<typeof CyberTiplineState>;

/** A CyberTipline-style incident report with where it went (a draft may lack what a finished one needs). */
export const IncidentReport = Type.Object({
  id: Type.Integer(),
  uid: Type.String(),
  direction: Type.String(),
  status: Type.String(),
  incident_type: Type.Optional(Type.String()),
  escalate_to_high_priority: Type.Optional(Type.Boolean()),
  annotations: Type.Optional(Type.Array(Type.String())),
  incident_at: Type.Optional(Type.String()),
  internet_details: Type.Optional(Type.Array(Type.Object({ type: Type.String(), value: Type.String() }))),
  reported_user: Type.Optional(
    Type.Object({
      id: Type.Optional(Type.String()),
      name: Type.Optional(Type.String()),
      email: Type.Optional(Type.String()),
      screen_name: Type.Optional(Type.String()),
      country: Type.Optional(Type.String()),
      ip_capture_events: Type.Optional(Type.Array(Type.Object({ ip: Type.String(), event: Type.String(), at: Type.Optional(Type.String()) }))),
    }),
  ),
  location_hints: Type.Optional(
    Type.Array(Type.Object({ source: Type.String(), country: Type.Optional(Type.String()), detail: Type.Optional(Type.String()) })),
  ),
  files: Type.Optional(Type.Array(ReportFile)),
  additional_info: Type.Optional(Type.String()),
  prior_uid: Nullable(Type.String()),
  review_id: Nullable(Type.Integer()),
  country: Nullable(Type.String()),
  routing_basis: Nullable(Type.String()),
  kind: Nullable(Type.String()),
  routed_to: Nullable(Type.String()),
  destination: Nullable(
    Type.String({ description: "Where a finished report made here goes: 'peer' (routed_to), 'cybertipline' (see `cybertipline`), null: kept here" }),
  ),
  from_member: Nullable(Type.String()),
  created_by: Type.String(),
  created_at: IsoTimeOut,
  finished_at: Nullable(IsoTimeOut),
  delivery: Nullable(Type.Object({ state: Type.String(), error: Nullable(Type.String()) })),
  cybertipline: Nullable(CyberTiplineState),
});
export type IncidentReport = Static<typeof IncidentReport>;

export const IncidentReportList = Type.Object({ reports: Type.Array(IncidentReport) });
export type IncidentReportList = Static<typeof IncidentReportList>;

/** A country's receiving authority: a peer, or the CyberTipline (NCMEC). */
export const ReceivingAuthority = Type.Object({
  country: Type.String(),
  destination: Type.Union([Type.Literal('peer'), Type.Literal('cybertipline')], {
    description: "'peer': sent to `peer` over the federation link; 'cybertipline': submitted to the CyberTipline (ALLIANCE_CYBERTIPLINE_*)",
  }),
  peer: Nullable(Type.String({ description: 'The receiving peer (null for the CyberTipline)' })),
});
export type ReceivingAuthority = Static<typeof ReceivingAuthority>;

/** GET /routing: the receiving authorities per country, and the fall-back contact. */
export const ReportRouting = Type.Object({ authorities: Type.Array(ReceivingAuthority), fallback: Nullable(Type.String()) });
export type ReportRouting = Static<typeof ReportRouting>;

/** The median and 90th percentile of a duration over the period, in milliseconds. */
const Duration = Type.Object({ count: Type.Integer(), median_ms: Nullable(Type.Number()), p90_ms: Nullable(Type.Number()) });

/** GET /action-metrics: how fast the chain acts. */
export const ActionMetrics = Type.Object({
  period: Type.Object({ from: IsoTimeOut, to: IsoTimeOut }),
  submissions: Type.Integer(),
  matched: Type.Integer(),
  blocked: Type.Integer(),
  reuploads_blocked: Type.Integer(),
  reviews: Type.Object({ pending: Type.Integer(), confirmed: Type.Integer(), rejected: Type.Integer() }),
  reports: Type.Object({ out: Type.Integer(), in: Type.Integer(), referral: Type.Integer(), informational: Type.Integer() }),
  notices: Type.Object({ open: Type.Integer(), removed: Type.Integer(), gone: Type.Integer() }),
  upload_to_match: Duration,
  match_to_review: Duration,
  review_to_report: Duration,
  review_to_notice: Duration,
  notice_to_removal: Duration,
  upload_to_removal: Duration,
});
export type ActionMetrics = Static<typeof ActionMetrics>;

// ---- hosting providers and takedown notices ---------------------------------------------------

/** POST /providers: the provider registered. */
export const HostingProvider = Type.Object({
  name: Type.String(),
  domains: Type.Array(Type.String()),
  abuse_url: Nullable(Type.String()),
  abuse_email: Nullable(Type.String()),
  country: Nullable(Type.String()),
});
export type HostingProvider = Static<typeof HostingProvider>;

/** A provider with its response times (hours from the first notice to removal). */
export const HostingProviderStats = Type.Object({
  ...HostingProvider.properties,
  stats: Type.Object({
    notices: Type.Integer(),
    removed: Type.Integer(),
    gone: Type.Integer(),
    open: Type.Integer(),
    median_hours_to_removal: Nullable(Type.Number()),
    p90_hours_to_removal: Nullable(Type.Number()),
    removed_within_24h: Nullable(Type.Number()),
    removed_within_72h: Nullable(Type.Number()),
    notices_sent: Type.Integer(),
  }),
});
export type HostingProviderStats = Static<typeof HostingProviderStats>;

export const HostingProviderList = Type.Object({ providers: Type.Array(HostingProviderStats) });
export type HostingProviderList = Static<typeof HostingProviderList>;

/** A takedown notice. */
export const Notice = Type.Object({
  id: Type.Integer(),
  url: Type.String(),
  host: Type.String(),
  provider: Nullable(Type.String()),
  evidence: Hashes,
  legal_basis: Type.String(),
  review_id: Nullable(Type.Integer()),
  status: Type.String(),
  sends: Type.Integer(),
  created_at: IsoTimeOut,
  first_sent_at: Nullable(IsoTimeOut),
  last_sent_at: Nullable(IsoTimeOut),
  next_action_at: Nullable(IsoTimeOut),
  closed_at: Nullable(IsoTimeOut),
  closed_by: Nullable(Type.String()),
  hours_to_removal: Nullable(Type.Number()),
});
export type Notice = Static<typeof Notice>;

export const NoticeList = Type.Object({ notices: Type.Array(Notice) });
export type NoticeList = Static<typeof NoticeList>;

/** A notice with its status timeline. */
export const NoticeDetail = Type.Object({
  ...Notice.properties,
  events: Type.Array(Type.Object({ at: IsoTimeOut, kind: Type.String(), detail: Nullable(Type.String()) })),
});
export type NoticeDetail = Static<typeof NoticeDetail>;
