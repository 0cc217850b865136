/** Tables of the cases module (migration 0006): series, their content, victims, support services, referrals. */
import type { Generated, Selectable } from 'kysely';

export interface SeriesTable {
  id: Generated<number>;
  /** "<owner member>/series/<id>": the same on every node that knows the series. */
  uid: string;
  name: string;
  owner_member: string;
  owner_country: string | null;
  agency: string | null;
  /** Who to contact about the series (a unit, an address): shared with peers. */
  contact_point: string | null;
  /** 'unidentified', 'victim_identified', 'offender_identified' or 'closed'. */
  status: string;
  first_seen_at: number | null;
  opened_at: number;
  victim_identified_at: number | null;
  offender_identified_at: number | null;
  closed_at: number | null;
  /** Restricted: never leaves this node. */
  notes: string | null;
  /** The peer a received series came from; null for own series. */
  received_from: number | null;
  /** 1 when an import created it for a series name a file gave (migration 0017). */
  created_by_import: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface SeriesContentTable {
  series_id: number;
  content_id: number;
  linked_at: number;
}

export interface SupportServicesTable {
  id: Generated<number>;
  country: string;
  name: string;
  /** 'victim_support', 'child_helpline', 'legal_aid', 'medical' or 'other'. */
  kind: string;
  contact: string;
  /** JSON array of language codes. */
  languages: string;
  hours: string | null;
  created_at: number;
}

export interface VictimsTable {
  id: Generated<number>;
  /** Pseudonymous id ("<member>/victim/<random>"): what identification needs, never a name. */
  uid: string;
  series_id: number;
  /** YYYY-MM-DD. */
  identified_on: string;
  /** The member that identified the victim. */
  identified_by: string;
  created_at: number;
}

export interface ReferralsTable {
  id: Generated<number>;
  victim_id: number;
  service_id: number;
  referred_on: string;
  referred_by: string;
  created_at: number;
}

export interface SeriesLogTable {
  seq: Generated<number>;
  series_id: number;
  at: number;
}

export interface SeriesCheckpointsTable {
  peer_id: number;
  checkpoint: number;
  last_success_at: number | null;
  last_error: string | null;
}

export interface CasesTable {
  id: Generated<number>;
  /** "<member>/case/<id>". */
  uid: string;
  /** The investigator's own case reference. */
  reference: string;
  owner_member: string;
  /** Who the other side of an overlap should call. */
  contact_point: string;
  created_by: string;
  created_at: number;
  /** The peer a received case (its keyed targets only) came from; null for own cases. */
  received_from: number | null;
}

export interface CaseTargetsTable {
  id: Generated<number>;
  case_id: number;
  /** username, email, phone, ip, device, url, series, hash. */
  kind: string;
  /** HMAC-SHA256 under the alliance-wide key of "kind:normalised identifier": the identifier itself is never stored. */
  keyed_hash: string;
  /** A few characters for the investigator to recognise the target (j…e@…com). */
  hint: string;
  /** IP addresses: the time window of use (epoch ms). */
  valid_from: number | null;
  valid_to: number | null;
  created_at: number;
}

export interface DeconflictionAlertsTable {
  id: Generated<number>;
  case_id: number;
  kind: string;
  other_case: string;
  other_member: string;
  other_contact: string;
  hint: string;
  created_at: number;
}

export interface TargetCheckpointsTable {
  peer_id: number;
  checkpoint: number;
  last_success_at: number | null;
  last_error: string | null;
}

export interface CasesTables {
  target_checkpoints: TargetCheckpointsTable;
  cases: CasesTable;
  case_targets: CaseTargetsTable;
  deconfliction_alerts: DeconflictionAlertsTable;
  series_log: SeriesLogTable;
  series_checkpoints: SeriesCheckpointsTable;
  series: SeriesTable;
  series_content: SeriesContentTable;
  support_services: SupportServicesTable;
  victims: VictimsTable;
  referrals: ReferralsTable;
}

export type Series = Selectable<SeriesTable>;
export type SupportService = Selectable<SupportServicesTable>;
export type Victim = Selectable<VictimsTable>;
export type CaseRow = Selectable<CasesTable>;
