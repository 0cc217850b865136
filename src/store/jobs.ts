/**
 * The durable job table: background work that must survive a restart (index snapshots, imports,
 * later retroactive matching and notices). Claiming is atomic on both databases; failed jobs are
 * retried with exponential back-off up to `maxAttempts`.
 */
import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Executor } from './util.js';
import type { Job } from './schema.js';
import { now, parseJson } from './util.js';
import { redactServerPaths } from '../errors/redact.js';

export async function enqueueJob(db: Executor, kind: string, payload: unknown, runAfter = now()): Promise<number> {
  const t = now();
  const r = await db
    .insertInto('jobs')
    .values({ kind, payload: JSON.stringify(payload ?? null), state: 'queued', attempts: 0, run_after: runAfter, locked_at: null, locked_by: null, last_error: null, result: null, created_at: t, updated_at: t })
    .returning('id')
    .executeTakeFirstOrThrow();
  return r.id;
}

/**
 * Claims the oldest due job (of the given kinds), or undefined. Two processes may pick the same
 * candidate; the conditional update lets exactly one of them have it.
 */
export async function claimJob(db: Db, worker: string, kinds: string[]): Promise<(Job & { data: unknown }) | undefined> {
  if (kinds.length === 0) return undefined;
  const t = now();
  const claimed = await db.transaction().execute(async (tx) => {
    const candidate = await tx
      .selectFrom('jobs')
      .select('id')
      .where('state', '=', 'queued')
      .where('run_after', '<=', t)
      .where('kind', 'in', kinds)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    if (!candidate) return undefined;
    return tx
      .updateTable('jobs')
      .set({ state: 'running', locked_at: t, locked_by: worker, attempts: sql`attempts + 1`, updated_at: t })
      .where('id', '=', candidate.id)
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  });
  return claimed ? { ...claimed, data: parseJson(claimed.payload, null) } : undefined;
}

export async function completeJob(db: Db, id: number, result: unknown = null): Promise<void> {
  await db.updateTable('jobs').set({ state: 'done', locked_at: null, result: JSON.stringify(result), updated_at: now() }).where('id', '=', id).execute();
}

export function getJob(db: Db, id: number): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Back-off between attempts: 2 s, 4 s, … doubling, at most an hour. */
const MAX_BACKOFF_MS = 3_600_000;

/** Records a failure: retried later with back-off, or failed for good (`permanent`, or out of attempts). */
export async function failJob(db: Db, job: Job, error: string, maxAttempts = 5, permanent = false): Promise<void> {
  const t = now();
  const retry = !permanent && job.attempts < maxAttempts;
  await db
    .updateTable('jobs')
    .set({ state: retry ? 'queued' : 'failed', run_after: t + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** job.attempts), last_error: redactServerPaths(error).slice(0, 2000), locked_at: null, updated_at: t })
    .where('id', '=', job.id)
    .execute();
}

/** Jobs left 'running' by a process that died go back to the queue. */
export async function requeueStale(db: Db, olderThanMs: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'queued', locked_at: null, locked_by: null, updated_at: now() })
    .where('state', '=', 'running')
    .where('locked_at', '<', now() - olderThanMs)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

