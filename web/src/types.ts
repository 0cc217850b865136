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

// Acting on matches, cases and reporting (schemas-b): the server's answers, from the contract.
export type {
  ActionMatch,
  ActionRule,
  IncidentReport as Report,
  Notice as NoticeSummary,
  NoticeDetail,
  ReviewItem,
  Series,
} from '../../src/api/contract/index.js';

// Federation (src/api/contract/federation.ts): the server's contract.
export type { Subscription } from '../../src/api/contract/index.js';
