/** The shapes of the /api/v1 responses the UI reads (see src/api/v1/*.ts). */

export interface WhoAmI {
  member: string;
  role: string;
  token_id: number;
}

export interface Bank {
  name: string;
  kind: 'positive' | 'negative';
  description: string;
  matching_enabled: boolean;
  enabled_ratio: number;
  content_count: number;
  signal_counts: Record<string, number>;
  created_at: string;
  updated_at: string;
}

export interface Classification {
  scheme: string;
  value: string;
  vics: number | null;
  uk: string | null;
  industry: string | null;
  legal: string;
}

export interface Signal {
  id: number;
  signal_type: string;
  value: string;
  quality: number | null;
}

export interface Content {
  id: number;
  bank: string;
  classification: Classification | null;
  tags: string[];
  note: string | null;
  enabled: boolean;
  disabled_until: string | null;
  signals: Signal[];
}

export interface ContentPage {
  content: Content[];
  next_after: number | null;
}

export interface Match {
  bank: string;
  bank_kind: 'positive' | 'negative';
  content_id: number;
  signal_id: number;
  signal_type: string;
  distance: number;
  classification: Classification | null;
  tags: string[];
  /** Where the content comes from (received content: its origin and the members that passed it on). */
  provenance: { origin_member: string; origin_bank: string; chain: string[]; first_seen: string };
}

export interface LookupResult {
  signal_type: string;
  threshold: number;
  matches: Match[];
  allow_listed: Match[];
  suppressed: Array<Match & { suppressed_by: { bank: string; content_id: number; distance: number } }>;
  not_counted: Array<Match & { reason: string }>;
  explanation: string[];
  /** Present in upload lookups: the hash of the upload. */
  signal?: string;
}

export interface UploadLookup {
  media: string;
  format: string | null;
  results: LookupResult[];
}

export interface SignalTypeInfo {
  name: string;
  description: string;
  media: string;
}

export interface Subscription {
  id: number;
  peer: string;
  remote_bank: string;
  bank: string;
  checkpoint: number;
  latest: number | null;
  lag: number | null;
  items_received: number;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
  last_error_at: string | null;
  /** PEER_REFUSED: the peer said no; scheduled syncs skip the subscription until an explicit sync. */
  last_error_code: string | null;
}

export interface ActionMatch {
  signal_type: string;
  bank: string;
  content_id: number;
  distance: number;
  classification: Classification | null;
  uid: string | null;
}

export interface ReviewItem {
  id: number;
  submission_id: number;
  status: 'pending' | 'confirmed' | 'rejected';
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
  next_actions: string[];
}

export interface Report {
  id: number;
  uid: string;
  direction: 'in' | 'out';
  status: 'draft' | 'finished';
  incident_type: string;
  files?: Array<{ hashes: Record<string, string>; classification?: string }>;
  prior_uid: string | null;
  country: string | null;
  routing_basis: string | null;
  kind: string | null;
  routed_to: string | null;
  from_member: string | null;
  created_at: string;
  finished_at: string | null;
  delivery: { state: string; error: string | null } | null;
}

export interface NoticeSummary {
  id: number;
  url: string;
  host: string;
  provider: string | null;
  status: 'open' | 'removed' | 'gone';
  sends: number;
  created_at: string;
  first_sent_at: string | null;
  next_action_at: string | null;
  closed_at: string | null;
  closed_by: string | null;
  hours_to_removal: number | null;
}

export interface NoticeDetail extends NoticeSummary {
  legal_basis: string;
  evidence: Record<string, string>;
  events: Array<{ at: string; kind: string; detail: string | null }>;
}

export interface ActionRule {
  id: number;
  name: string;
  enabled: boolean;
  conditions: { banks?: string[]; legal?: string[]; classifications?: string[]; max_distance?: number; signal_types?: string[]; sources?: string[] };
  actions: string[];
  webhook: string | null;
}

/** A series as /api/v1/series lists it. */
export interface Series {
  id: number;
  uid: string;
  name: string;
  owner: { member: string; country: string | null; agency: string | null; contact_point: string | null };
  own: boolean;
  status: 'unidentified' | 'victim_identified' | 'offender_identified' | 'closed';
  opened_at: string;
  first_seen_at: string | null;
  victim_identified_at: string | null;
  offender_identified_at: string | null;
  closed_at: string | null;
  victims_identified?: number;
  contents?: number;
}
