/** The audit log, its checkpoints and their verification (src/audit/). */
import { Type, type Static } from 'typebox';
import { AnyJson, IsoTimeOut, Nullable } from './common.js';

/** An entry of the audit log. */
export const AuditEntry = Type.Object({
  id: Type.Integer(),
  at: IsoTimeOut,
  member_id: Nullable(Type.Integer()),
  token_id: Nullable(Type.Integer()),
  actor: Type.String(),
  action: Type.String(),
  target: Nullable(Type.String()),
  detail: AnyJson,
  result_count: Nullable(Type.Integer()),
  prev_hash: Type.String(),
  hash: Type.String(),
});
export type AuditEntry = Static<typeof AuditEntry>;

/** GET /audit: entries, newest first. */
export const AuditPage = Type.Object({ entries: Type.Array(AuditEntry) });
export type AuditPage = Static<typeof AuditPage>;

const WitnessError = Type.Object({ witness: Type.String(), error: Type.String() });

/** GET /audit/verify: whether the chain verifies, against which checkpoints, and what the witnesses said. */
export const AuditVerification = Type.Object({
  ok: Type.Boolean(),
  entries: Type.Integer(),
  /** The first entry that does not verify, and why. */
  problem: Type.Optional(Type.Object({ id: Type.Integer(), reason: Type.String() })),
  checkpoints: Type.Optional(
    Type.Object({ checked: Type.Integer(), latest_entry: Nullable(Type.Integer()), latest_at: Nullable(Type.String()), witnesses: Type.Integer() }),
  ),
  unreachable_witnesses: Type.Array(WitnessError),
  witness_errors: Type.Array(WitnessError),
});
export type AuditVerification = Static<typeof AuditVerification>;

/** A signed checkpoint of the chain head (src/audit/checkpoints.ts). */
export const AuditCheckpoint = Type.Object({
  format: Type.Literal('alliance-audit-checkpoint'),
  version: Type.Literal(1),
  member: Type.String(),
  entry: Type.Integer(),
  hash: Type.String(),
  at: Type.String(),
});
export type AuditCheckpoint = Static<typeof AuditCheckpoint>;

/** GET /audit/checkpoints: oldest first. */
export const AuditCheckpointList = Type.Object({ checkpoints: Type.Array(AuditCheckpoint) });
export type AuditCheckpointList = Static<typeof AuditCheckpointList>;

/** POST /audit/checkpoints: the checkpoint (null: no entry yet), whether it is new, and the witnesses that did not take it. */
export const AuditCheckpointReport = Type.Object({
  checkpoint: Nullable(AuditCheckpoint),
  written: Type.Boolean(),
  witness_failures: Type.Array(WitnessError),
});
export type AuditCheckpointReport = Static<typeof AuditCheckpointReport>;
