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
    .values({
      kind,
      payload: JSON.stringify(payload ?? null),
      state: 'queued',
      attempts: 0,
      run_after: runAfter,
      locked_at: null,
      locked_by: null,
      last_error: null,
      result: null,
      created_at: t,
      updated_at: t,
    })
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

/**
 * Marks a running job done. Called with the transaction of the job's effects (`tx`), the two
 * commit together: a process killed after that commit finds the job done, so the effects are
 * never applied twice. Returns whether this call finished it (false: finished already).
 */
export async function completeJob(db: Executor, id: number, result: unknown = null, worker?: string): Promise<boolean> {
  let q = db
    .updateTable('jobs')
    .set({ state: 'done', locked_at: null, result: JSON.stringify(result ?? null), updated_at: now() })
    .where('id', '=', id)
    .where('state', '=', 'running');
  if (worker !== undefined) q = q.where('locked_by', '=', worker); // only the runner that holds it
  const r = await q.executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Renews a running job's lease (its `locked_at`); false when the job is no longer this worker's. */
export async function renewJobLease(db: Db, id: number, worker: string): Promise<boolean> {
  const r = await db
    .updateTable('jobs')
    .set({ locked_at: now() })
    .where('id', '=', id)
    .where('state', '=', 'running')
    .where('locked_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The workers holding running jobs (to find those whose process is gone). */
export async function runningJobWorkers(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('jobs').select('locked_by').distinct().where('state', '=', 'running').execute();
  return rows.map((r) => r.locked_by).filter((w): w is string => w !== null);
}

/** Jobs held by `worker` (a process that is gone) go back to the queue at once. */
export async function requeueWorker(db: Db, worker: string): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'queued', locked_at: null, locked_by: null, updated_at: now() })
    .where('state', '=', 'running')
    .where('locked_by', '=', worker)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Jobs of a kind that are still to run (queued or running), with their data. */
export async function openJobsOfKind(db: Db, kind: string): Promise<Array<Job & { data: unknown }>> {
  const rows = await db.selectFrom('jobs').selectAll().where('kind', '=', kind).where('state', 'in', ['queued', 'running']).execute();
  return rows.map((r) => ({ ...r, data: parseJson(r.payload, null) }));
}

export function getJob(db: Db, id: number): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Back-off between attempts: 2 s, 4 s, … doubling, at most an hour. */
const MAX_BACKOFF_MS = 3_600_000;

/** Records a failure: retried later with back-off, or failed for good (`permanent`, or out of attempts). */
export async function failJob(db: Db, job: Job, error: string, maxAttempts = 5, permanent = false, worker?: string): Promise<void> {
  const t = now();
  const retry = !permanent && job.attempts < maxAttempts;
  let q = db
    .updateTable('jobs')
    .set({
      state: retry ? 'queued' : 'failed',
      run_after: t + Math.min(MAX_BACKOFF_MS, 1000 * 2 ** job.attempts),
      last_error: redactServerPaths(error).slice(0, 2000),
      locked_at: null,
      updated_at: t,
    })
    .where('id', '=', job.id)
    .where('state', '=', 'running'); // a job its handler finished (in its own transaction) stays done
  if (worker !== undefined) q = q.where('locked_by', '=', worker); // and another runner's stays theirs
  await q.execute();
}

/** Jobs whose lease ran out (their process died or hangs) go back to the queue. */
export async function requeueStale(db: Db, olderThanMs: number): Promise<number> {
  const r = await db
    .updateTable('jobs')
    .set({ state: 'queued', locked_at: null, locked_by: null, updated_at: now() })
    .where('state', '=', 'running')
    .where('locked_at', '<', now() - olderThanMs)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
