/** Tables of the triage results (migration 0010). */
import type { Generated, Selectable } from 'kysely';

export interface TriageRunsTable {
  id: Generated<number>;
  /** The folder, VICS file or hash list triaged (as given on the command line). */
  input: string;
  /** 'folder', 'vics' or 'hashes'. */
  kind: string;
  case_number: string;
  out_dir: string;
  /** 'running', 'done', 'failed', 'interrupted' (a later run into the same folder found it unfinished) or 'superseded' (a later run rewrote its files). */
  status: string;
  files: number;
  /** JSON: files per class. */
  counts: string;
  /** JSON: the known series met, with their files. */
  series: string;
  /** Files whose hashes came from the interrupted run before. */
  resumed: number;
  created_by: string;
  started_at: number;
  finished_at: number | null;
  error: string | null;
}

export interface TriageItemsTable {
  run_id: number;
  n: number;
  path: string;
  folder: string;
  class: string;
  /** The classification's label ("industry:A1"). */
  classification: string | null;
  legal: string | null;
  /** JSON array of { uid, name }. */
  series: string | null;
  victim_identified: number;
  bank: string | null;
  content_id: number | null;
  signal_type: string | null;
  distance: number | null;
  md5: string | null;
  sha1: string | null;
  pdq: string | null;
  error: string | null;
  sha256: string | null;
  /** JSON: what the matched content says of the file (triage.ts TriageFacts); null when nothing matched. */
  facts: string | null;
}

export interface TriageTables {
  triage_runs: TriageRunsTable;
  triage_items: TriageItemsTable;
}

export type TriageRunRow = Selectable<TriageRunsTable>;
export type TriageItemRow = Selectable<TriageItemsTable>;
