/** Tables of the reporting module (migration 0011). */
import type { Generated, Selectable } from 'kysely';

export interface ManualIndicatorsTable {
  id: Generated<number>;
  /** A period key: "2026", "2026-Q3" or "2026-07". */
  period: string;
  /** 'prosecutions' or 'convictions'. */
  kind: string;
  value: number;
  /** Where the figure comes from (a ministry's statistics, a court register…). */
  source: string;
  entered_by: string;
  entered_at: number;
}

export interface CampaignsTable {
  id: Generated<number>;
  country: string;
  title: string;
  /** 'children', 'parents', 'educators', 'professionals', 'general_public' or 'offenders'. */
  audience: string;
  /** 'school', 'online', 'broadcast', 'print', 'event' or 'other'. */
  channel: string;
  /** People reached, as the organiser measured it. */
  reach: number;
  /** YYYY-MM-DD. */
  starts_on: string;
  ends_on: string | null;
  created_by: string;
  created_at: number;
}

export interface MessageCountsTable {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** 'search', 'upload-blocked', 'child-safety' or 'victim'. */
  context: string;
  /** ISO 3166-1 alpha-2, or '' when unknown. */
  country: string;
  count: number;
}

export interface MnrAssessmentsTable {
  period: string;
  /** 1…21 (reporting/mnr.ts). */
  capability: number;
  /** 1…4. */
  phase: number;
  evidence: string;
  assessed_by: string;
  assessed_at: number;
}

export interface CountryReportsTable {
  id: Generated<number>;
  period: string;
  baseline: string | null;
  /** 'draft', 'signed' or 'submitted'. */
  status: string;
  /** The report's JSON text; once signed, exactly what the signature covers. */
  payload: string;
  /** JSON: the narrative fields (kept apart while the draft is edited). */
  narrative: string;
  signature: string | null;
  public_key: string | null;
  created_by: string;
  created_at: number;
  signed_at: number | null;
  submitted_at: number | null;
  /** The secretariat peer it went to. */
  submitted_to: string | null;
  delivery_error: string | null;
}

/** One version of an awareness message; the newest approved version of a (context, audience, language) is served. */
export interface MessagesTable {
  id: Generated<number>;
  /** 'search', 'upload-blocked', 'child-safety' or 'victim'. */
  context: string;
  /** 'child', 'teen' or 'adult'. */
  audience: string;
  /** A language code: 'en', 'fr', 'pt-BR'. */
  language: string;
  version: number;
  title: string;
  body: string;
  /** 'draft' (awaiting review), 'approved' or 'rejected'. */
  status: string;
  author: string;
  created_at: number;
  reviewed_by: string | null;
  reviewed_at: number | null;
  review_note: string | null;
}

export interface ReceivedCountryReportsTable {
  id: Generated<number>;
  member: string;
  country: string | null;
  period: string;
  payload: string;
  signature: string;
  public_key: string;
  received_at: number;
  /** The member_keys row of the key the report was verified with at receipt (null: none recorded). */
  key_id: number | null;
}

export interface HelpEntriesTable {
  id: Generated<number>;
  /** "seed/help/<country>/<kind>" for the seeded placeholders, "<member>/help/<id>" for added ones. */
  uid: string;
  country: string;
  /** 'child_helpline', 'hotline', 'police', 'victim_support' or 'offender_prevention'. */
  kind: string;
  name: string;
  /** JSON array of language codes. */
  languages: string;
  hours: string | null;
  /** JSON array of { type: phone|web|chat|email|sms|app, value }. */
  channels: string;
  /** 'placeholder' (seeded, not filled), 'curated', or 'removed' (kept so that subscribers learn of it). */
  status: string;
  /** The peer it came from (its publisher curates it), null for this node's own. */
  received_from: number | null;
  created_at: number;
  updated_at: number;
}

export interface ReportingTables {
  help_entries: HelpEntriesTable;
  help_log: { seq: Generated<number>; entry_id: number };
  feed_checkpoints: { feed: string; peer_id: number; checkpoint: number; last_success_at: number | null; last_error: string | null };
  messages: MessagesTable;
  manual_indicators: ManualIndicatorsTable;
  campaigns: CampaignsTable;
  message_counts: MessageCountsTable;
  mnr_assessments: MnrAssessmentsTable;
  country_reports: CountryReportsTable;
  received_country_reports: ReceivedCountryReportsTable;
}

export type Campaign = Selectable<CampaignsTable>;
export type CountryReportRow = Selectable<CountryReportsTable>;
export type ReceivedCountryReport = Selectable<ReceivedCountryReportsTable>;
export type MessageRow = Selectable<MessagesTable>;
export type HelpEntryRow = Selectable<HelpEntriesTable>;
