/** Background jobs: imports into a bank (CSV, VICS, NCMEC) and their status (src/api/v1/jobs.ts). */
import { Type, type Static } from 'typebox';
import { AnyJson, IsoTimeOut, Nullable } from './common.js';

/** POST /banks/:name/import (202): the job queued, and where to follow it. */
export const JobAccepted = Type.Object({ job_id: Type.Integer(), status_url: Type.String() });
export type JobAccepted = Static<typeof JobAccepted>;

/** GET /jobs/:id. */
export const Job = Type.Object({
  id: Type.Integer(),
  kind: Type.String(),
  state: Type.Union([Type.Literal('queued'), Type.Literal('running'), Type.Literal('done'), Type.Literal('failed')]),
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
  /** What the finished job produced (an import: its counts), null before. */
  result: AnyJson,
  /** A running import's items imported so far of the file's total (null: not running in the answering process; total null: not counted yet). */
  progress: Type.Optional(Nullable(Type.Object({ done: Type.Integer(), total: Nullable(Type.Integer()) }))),
  created_at: IsoTimeOut,
  updated_at: IsoTimeOut,
});
export type Job = Static<typeof Job>;
