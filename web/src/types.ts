/** The shapes of the API's answers the UI reads: the server's own contract (src/api/contract), re-exported; only the lookup answers' UI view is written here. */

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

// Banks, content, lookups and tokens (src/api/contract/banks.ts, match.ts, members.ts, common.ts): the server's contract.
import type { Bank, Classification, Content, ContentPage, Match, Signal, SignalTypeInfo, WhoAmI } from '../../src/api/contract/index.js';
export type { Bank, Classification, Content, ContentPage, Match, Signal, SignalTypeInfo, WhoAmI };
