/** GET /health: liveness and index readiness (503 while the index loads, with the same body). */
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('loading')]),
  index_ready: Type.Boolean(),
  /** The last error writing the audit backlog, if any. */
  audit_backlog_error: Nullable(Type.String()),
});
export type Health = Static<typeof Health>;
