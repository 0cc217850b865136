/** Triage runs recorded on this node (`alliance triage`) and their items (src/cases/triage-service.ts). */
import { Type, type Static } from 'typebox';
import { IsoTimeOut, Nullable } from './common.js';
import { Provenance } from './match.js';

const RunProperties = {
  id: Type.Integer(),
  /** The folder, VICS file or hash list triaged. */
  input: Type.String(),
  /** 'folder', 'vics' or 'hashes'. */
  kind: Type.String(),
  case_number: Type.String(),
  out_dir: Type.String(),
  /** 'running', 'done', 'failed', 'interrupted' or 'superseded'. */
  status: Type.String(),
  files: Type.Integer(),
  /** Files per class. */
  counts: Type.Record(Type.String(), Type.Integer()),
  resumed: Type.Integer(),
  created_by: Type.String(),
  started_at: IsoTimeOut,
  finished_at: Nullable(IsoTimeOut),
  error: Nullable(Type.String()),
};

/** A triage run as listed. */
export const TriageRun = Type.Object(RunProperties);
export type TriageRun = Static<typeof TriageRun>;

/** GET /triage/runs. */
export const TriageRunList = Type.Object({ runs: Type.Array(TriageRun) });
export type TriageRunList = Static<typeof TriageRunList>;

/** GET /triage/runs/:id: the run, the known series met and the folders holding new material. */
export const TriageRunDetail = Type.Object({
  ...RunProperties,
  series: Type.Array(Type.Object({ uid: Type.String(), name: Type.String(), status: Type.String(), victims: Type.Integer(), files: Type.Integer() })),
  new_folders: Type.Array(Type.Object({ folder: Type.String(), files: Type.Integer() })),
});
export type TriageRunDetail = Static<typeof TriageRunDetail>;

const FlagStatement = Type.Object({ value: Type.Boolean(), at: Nullable(Type.String()), source: Type.String() });

/** What the matched content says of a triaged file (src/cases/triage-facts.ts). */
export const TriageFacts = Type.Object({
  victim_identified: Type.Boolean(),
  offender_identified: Type.Boolean(),
  distributed: Type.Boolean(),
  self_generated: Type.Boolean(),
  suspected: Type.Boolean(),
  /** The statement each flag was taken from (absent: no source says anything). */
  sources: Type.Object({
    victim_identified: Type.Optional(FlagStatement),
    offender_identified: Type.Optional(FlagStatement),
    distributed: Type.Optional(FlagStatement),
    self_generated: Type.Optional(FlagStatement),
    suspected: Type.Optional(FlagStatement),
  }),
  tags: Type.Array(Type.String()),
  comments: Type.Array(Type.String()),
  series_names: Type.Array(Type.String()),
  media_ids: Type.Array(Type.String()),
  provenance: Nullable(Provenance),
});
export type TriageFacts = Static<typeof TriageFacts>;

/** A triaged file: its hashes, class and match. */
export const TriageRunItem = Type.Object({
  n: Type.Integer(),
  path: Type.String(),
  folder: Type.String(),
  class: Type.String(),
  /** The classification's label ("industry:A1"). */
  classification: Nullable(Type.String()),
  legal: Nullable(Type.String()),
  series: Type.Array(Type.Object({ uid: Type.String(), name: Type.String() })),
  victim_identified: Type.Boolean(),
  match: Nullable(
    Type.Object({ bank: Type.String(), content_id: Nullable(Type.Integer()), signal_type: Nullable(Type.String()), distance: Nullable(Type.Number()) }),
  ),
  md5: Nullable(Type.String()),
  sha1: Nullable(Type.String()),
  pdq: Nullable(Type.String()),
  sha256: Nullable(Type.String()),
  error: Nullable(Type.String()),
  facts: Nullable(TriageFacts),
});
export type TriageRunItem = Static<typeof TriageRunItem>;

/** GET /triage/runs/:id/items: a page of items and how many match the filter. */
export const TriageItemPage = Type.Object({ items: Type.Array(TriageRunItem), total: Type.Integer() });
export type TriageItemPage = Static<typeof TriageItemPage>;
