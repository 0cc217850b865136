/**
 * The tables, as Kysely sees them. Portable types only, so one code path serves SQLite and
 * PostgreSQL: integers for booleans (0/1), epoch milliseconds for times, JSON as text (queryable
 * with each database's JSON functions).
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ActionsTables, ReportTables } from './actions-schema.js';
import type { CasesTables } from './cases-schema.js';
import type { TriageTables } from './triage-schema.js';
import type { ReportingTables } from './reporting-schema.js';

export interface MembersTable {
  id: Generated<number>;
  name: string;
  country: string | null;
  kind: string;
  created_at: number;
}

export interface TokensTable {
  id: Generated<number>;
  member_id: number;
  role: string;
  label: string;
  /** SHA-256 (hex) of the token; the token itself is never stored. */
  token_hash: string;
  /** First characters of the token, to recognise it in lists. */
  prefix: string;
  created_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface BanksTable {
  id: Generated<number>;
  name: string;
  owner_member_id: number;
  /** 'positive' (known material) or 'negative' (allow-list: its matches suppress the others). */
  kind: string;
  description: string;
  matching_enabled: number;
  /** Share of the bank's content that matches (HMA's matching_enabled_ratio), 0…1. */
  enabled_ratio: number;
  created_at: number;
  updated_at: number;
  /** Bank rule: quarantine content once this many members dispute it (null: never). */
  quarantine_threshold: number | null;
}

export interface BankContentTable {
  id: Generated<number>;
  bank_id: number;
  /** JSON: the classification as given plus its crosswalks (see banks/classification.ts). */
  classification: string | null;
  /** JSON array of strings. */
  tags: string;
  note: string | null;
  /** JSON object given by the submitter (HMA: content_id, content_uri, json). */
  metadata: string | null;
  source_member: string | null;
  first_seen: number;
  last_seen: number;
  /** Epoch ms until which the content does not match; null = enabled. */
  disabled_until: number | null;
  created_at: number;
  updated_at: number;
  /** Federation: the id the origin gave this content ("member/id"); null for own content. */
  uid: string | null;
  origin_member: string | null;
  origin_bank: string | null;
  /** JSON array: the members that passed it on, origin first. */
  chain: string | null;
  /** The peer it was received from. */
  received_from: number | null;
}

export interface SignalsTable {
  id: Generated<number>;
  content_id: number;
  bank_id: number;
  signal_type: string;
  value: string;
  /** SHA-256 of `value`: vPDQ values are too long for a B-tree key. */
  quality: number | null;
  created_at: number;
}

/** Append-only log of index changes: matchers replay it after their snapshot, and follow it. */
export interface SignalChangesTable {
  seq: Generated<number>;
  signal_id: number;
  signal_type: string;
  op: 'add' | 'remove';
  /** The removed value (removes only: the signal row is gone by the time matchers replay). */
  value: string | null;
  at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  member_id: number | null;
  token_id: number | null;
  actor: string;
  action: string;
  target: string | null;
  /** JSON. */
  detail: string;
  result_count: number | null;
  prev_hash: string;
  hash: string;
}

/** The chain's head, updated in the same transaction as each append. */
export interface AuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
  /** HMAC of (last_id, last_hash) under the audit key: a head reset to an earlier entry does not carry it. */
  mac: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface JobsTable {
  id: Generated<number>;
  kind: string;
  /** JSON. */
  payload: string;
  state: 'queued' | 'running' | 'done' | 'failed';
  attempts: number;
  run_after: number;
  locked_at: number | null;
  locked_by: string | null;
  last_error: string | null;
  /** JSON: what a finished job produced. */
  result: string | null;
  created_at: number;
  updated_at: number;
}

export interface PeersTable {
  id: Generated<number>;
  member_id: number;
  url: string;
  /** "ed25519:" + base64 of the raw 32-byte key. */
  public_key: string;
  created_at: number;
  last_seen_at: number | null;
}

export interface PublicationsTable {
  bank_id: number;
  /** JSON: the sharing agreement (exchange/agreements.ts). */
  agreement: string;
  created_at: number;
  updated_at: number;
}

/** Every change of a bank's content, for its feed. */
export interface FeedLogTable {
  seq: Generated<number>;
  bank_id: number;
  content_id: number;
  op: 'upsert' | 'delete';
  /** For deletes: the content's federation uid (the row is gone when the feed is read). */
  uid: string | null;
  at: number;
}

export interface SubscriptionsTable {
  id: Generated<number>;
  peer_id: number;
  remote_bank: string;
  bank_id: number;
  /** The last feed position applied (moves with each page, in the page's transaction). */
  checkpoint: number;
  latest: number | null;
  last_attempt_at: number | null;
  last_success_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  /** The catalogue code of the last error (PEER_REFUSED: the peer said no; scheduled syncs wait for an explicit one). */
  last_error_code: string | null;
  items_received: number;
  created_at: number;
  /** 1: paused — the node does not pull the feed for it until it is resumed (0025). */
  paused: Generated<number>;
}

export interface OpinionsTable {
  id: Generated<number>;
  content_id: number;
  member_id: number;
  opinion: 'confirmed' | 'false_positive' | 'disputed';
  reason: string | null;
  at: number;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database extends ActionsTables, ReportTables, CasesTables, TriageTables, ReportingTables {
  members: MembersTable;
  tokens: TokensTable;
  banks: BanksTable;
  bank_content: BankContentTable;
  signals: SignalsTable;
  signal_changes: SignalChangesTable;
  audit_log: AuditLogTable;
  audit_head: AuditHeadTable;
  jobs: JobsTable;
  meta: MetaTable;
  peers: PeersTable;
  publications: PublicationsTable;
  feed_log: FeedLogTable;
  subscriptions: SubscriptionsTable;
  opinions: OpinionsTable;
  /** The audit checkpoints each peer sent this node as its witness (every one kept, older ones thinned). */
  audit_witness: { peer_id: number; entry: number; hash: string; signed_at: string; envelope: string; received_at: number };
  /** Nonces of signed federation requests, kept until the request could no longer be fresh. */
  federation_nonces: { keyid: string; nonce: string; expires_at: number };
  /** Every public key a member (peer) has had, with when it was valid ([valid_from, valid_to), valid_to null: current). */
  member_keys: MemberKeysTable;
  exchanges: ExchangesTable;
  operations: OperationsTable;
  operation_targets: OperationTargetsTable;
  lead_packages: LeadPackagesTable;
  lead_package_targets: { package_id: number; ref: string; digest: string };
  lead_inbox: LeadInboxTable;
  lead_updates: LeadUpdatesTable;
  /** The credentials of each exchange API, sealed (SecretBox purpose "exchange.credentials:<api>"). */
  exchange_credentials: { api: string; value: string; updated_at: number };
  exchange_opinions: ExchangeOpinionsTable;
  /** Incident reports submitted to the CyberTipline: where each submission stands (resumed from here). */
  cybertipline_submissions: CybertiplineSubmissionsTable;
}

/** One incident report's CyberTipline submission (src/actions/cybertipline/). */
export interface CybertiplineSubmissionsTable {
  report_id: number;
  /** pending, submitting, open, finished, rejected, retracted, uncertain. */
  status: string;
  environment: string;
  /** The CyberTipline's report id, once its answer to the submit is stored. */
  ct_report_id: string | null;
  /** JSON: per file of the report, {index, file_id, uploaded, detailed}. */
  files: string;
  response_code: number | null;
  last_error: string | null;
  attempts: number;
  lease_holder: string | null;
  lease_until: number | null;
  requested_by: string;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

/** An external exchange (src/exchange/apis/): its API, its bank, its configuration and where its fetch stands. */
export interface ExchangesTable {
  id: Generated<number>;
  name: string;
  api: string;
  bank_id: number;
  /** JSON, validated against the API's configSchema. */
  config: string;
  enabled: number;
  /** The API's checkpoint as JSON (null: none yet); moved only with an applied page, compare-and-set. */
  checkpoint: string | null;
  /** The checkpoint's position as a time (ms), when the API says. */
  checkpoint_ts: number | null;
  fetch_started_at: number | null;
  fetch_completed_at: number | null;
  fetch_succeeded: number | null;
  up_to_date: number;
  items_fetched: number;
  unmatchable: number;
  /** Values dropped because they cannot become a signal (migration 0023), and the reasons (JSON array) of the latest page with any. */
  rejected: number;
  rejected_reasons: string | null;
  pages: number;
  /** When a fetch from the beginning began (null: none running): contents it does not deliver again are deleted when it completes. */
  full_fetch_started_at: number | null;
  last_error: string | null;
  last_error_code: string | null;
  last_error_at: number | null;
  /** When a fetch last succeeded (null: never, or not known from before migration 0020). */
  last_success_at: number | null;
  created_at: number;
}

export interface ExchangeOpinionsTable {
  id: Generated<number>;
  exchange_id: number;
  content_id: number;
  uid: string;
  opinion: string;
  reason: string | null;
  /** sent | failed */
  status: string;
  /** The remote's answer (JSON), when it gave one. */
  answer: string | null;
  error: string | null;
  sent_at: number;
}

export interface MemberKeysTable {
  id: Generated<number>;
  member: string;
  public_key: string;
  valid_from: number;
  valid_to: number | null;
}

export type Member = Selectable<MembersTable>;
export type Token = Selectable<TokensTable>;
export type Bank = Selectable<BanksTable>;
export type BankContent = Selectable<BankContentTable>;
export type Signal = Selectable<SignalsTable>;
export type AuditEntry = Selectable<AuditLogTable>;
export type Job = Selectable<JobsTable>;
export type NewBank = Insertable<BanksTable>;
export type BankUpdate = Updateable<BanksTable>;
export type { ColumnType };

/** A joint operation (src/operations/); `notes` are restricted: they never leave this node. */
export interface OperationsTable {
  id: Generated<number>;
  uid: string;
  name: string;
  legal_basis: string;
  owner_agency: string;
  contact_point: string;
  starts_at: number | null;
  ends_at: number | null;
  notes: string | null;
  /** The deconfliction case its targets' identifiers are registered on (keyed hashes), once checked. */
  deconfliction_case_id: number | null;
  created_by: string;
  created_at: number;
}

/** One target of an operation: identifiers (JSON), its attributed country with reasons (JSON), an override, its content's matches (JSON). */
export interface OperationTargetsTable {
  id: Generated<number>;
  operation_id: number;
  ref: string;
  identifiers: string;
  country: string | null;
  /** high, medium, low, none. */
  confidence: string;
  reasons: string;
  override_country: string | null;
  override_reason: string | null;
  overridden_by: string | null;
  overridden_at: number | null;
  hashes: number;
  matched: string;
  /** When its identifiers were checked against the deconfliction service (null: not yet). */
  deconflicted_at: number | null;
  /** JSON: the other cases its identifiers met (deconfliction Overlap[]). */
  met_cases: string;
  /** 1: an overlap holds its referral until an analyst releases it. */
  held: number;
  release_reason: string | null;
  released_by: string | null;
  released_at: number | null;
  created_at: number;
}

/** A lead package built on the operation's node for one receiving country (immutable once built: the signed payload is what goes). */
export interface LeadPackagesTable {
  id: Generated<number>;
  uid: string;
  /** The operation it refers targets of (null: a forwarded package — see forwarded_from). */
  operation_id: number | null;
  country: string;
  /** The package it supplements (null: the first). */
  prior_uid: string | null;
  /** The receiving authority's peer (null: none registered and no fall-back — it waits). */
  peer: string | null;
  /** built, waiting (no authority), queued (its delivery job retried while the peer is unreachable), delivered. */
  state: string;
  payload: string;
  signature: string;
  /** JSON: the handling restrictions the payload carries (a list reads them without the payload). */
  handling: string;
  targets: number;
  attempts: number;
  last_error: string | null;
  /** JSON: the receiver's receipt ({uid, received}). */
  receipt: string | null;
  created_by: string;
  created_at: number;
  queued_at: number | null;
  delivered_at: number | null;
  /** Re-referral: the uid of the received package (lead_inbox) whose targets it forwards to a third country (null: an operation's own). */
  forwarded_from: string | null;
}

/** A lead package received from another authority's node. */
export interface LeadInboxTable {
  id: Generated<number>;
  uid: string;
  from_peer: string;
  prior_uid: string | null;
  operation: string;
  country: string;
  payload: string;
  signature: string;
  targets: number;
  /** received, acknowledged, accepted, declined. */
  state: string;
  reason: string | null;
  assignee: string | null;
  /** The sequence number of the next status update to its origin. */
  next_seq: number;
  received_at: number;
  updated_at: number;
}

/** A status update on a lead package: 'out' on the receiver (delivered to the origin), 'in' on the origin (verified). */
export interface LeadUpdatesTable {
  id: Generated<number>;
  direction: string;
  package_uid: string;
  /** The other end: the origin ('out') or the receiver ('in'). */
  peer: string;
  seq: number;
  /** acknowledged, accepted, declined, assigned, outcome. */
  type: string;
  target_ref: string | null;
  outcome: string | null;
  count: number | null;
  /** JSON: series uids (outcomes). */
  series: string | null;
  at: number;
  payload: string;
  signature: string;
  /** out: queued, delivered, failed; in: received. */
  state: string;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}
