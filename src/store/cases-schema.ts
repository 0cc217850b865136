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

export interface CasesTables {
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
