/**
 * Runs durable jobs from the job table: claims one due job at a time, runs its handler, records
 * the result or the error (retried with back-off unless the error is the input's fault: a 4xx in
 * the error catalogue).
 *
 * Exactly once where it matters: a handler whose effects are one transaction (an import) marks
 * its job done inside that transaction (`ctx.finish(tx, result)`), so a process killed after the
 * commit finds the job done and never applies it again; killed before, the transaction rolls
 * back and the job runs again from the start.
 *
 * Resumed promptly: a running job holds a lease that its process renews every few seconds. At
 * start a process requeues at once the jobs of processes on this machine that are gone (a kill -9,
 * a crash), and every few seconds any job whose lease ran out (a process on another machine). Only
 * the runner holding a job may finish or fail it, so a runner whose lease ran out while it worked
 * cannot apply its work beside the runner that took the job over.
 */
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { AllianceError } from '../errors/catalogue.js';
import { claimJob, completeJob, failJob, renewJobLease, requeueStale, requeueWorker, runningJobWorkers, type Store, type Tx } from '../store/index.js';

export interface JobContext {
  readonly jobId: number;
  /** Marks the job done inside the transaction of its effects (call it at most once, in that transaction). */
  finish(tx: Tx, result: unknown): Promise<void>;
}

export type JobHandler = (data: unknown, ctx: JobContext) => Promise<unknown>;

/** Attempts before a job fails for good, unless its kind says otherwise. */
const DEFAULT_ATTEMPTS = 5;

/** A running job's lease: renewed every third of it; a job whose lease ran out is requeued. */
export const JOB_LEASE_MS = 30_000;
const STALE_CHECK_MS = 5_000;

/** Errors that retrying cannot fix (the input's fault): the job fails at once. */
export const isPermanent = (err: unknown): boolean => err instanceof AllianceError && err.status < 500;

/**
 * Where this process runs, for telling whether another runner's process is alive: the host name
 * and the PID namespace (two containers may share a host name, never a PID namespace).
 */
function processPlace(): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch {
    ns = 'no-pidns';
  }
  return `${hostname()}/${ns}`;
}

/** Whether a worker id (`<place>:pid`) names a process of this machine and PID namespace that no longer runs. */
function isGoneHere(worker: string): boolean {
  const at = worker.lastIndexOf(':');
  if (at < 0 || worker.slice(0, at) !== processPlace()) return false;
  const pid = Number(worker.slice(at + 1));
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly worker = `${processPlace()}:${process.pid}`;
  private staleCheckedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly handlers: Record<string, JobHandler>,
    private readonly intervalMs = 500,
    /** Per kind: attempts before failing for good (messages to peers keep trying for days). */
    private readonly attempts: Record<string, number> = {},
    /** Work to do once when the runner starts (e.g. removing files of jobs that finished). */
    private readonly onStart: Array<() => Promise<unknown>> = [],
  ) {}

  async start(): Promise<void> {
    await this.requeueInterrupted();
    for (const task of this.onStart) await task();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs due jobs until none is left (also called by tests). */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        if (Date.now() - this.staleCheckedAt > STALE_CHECK_MS) await this.requeueInterrupted();
        for (;;) {
          const job = await claimJob(this.store.db, this.worker, Object.keys(this.handlers));
          if (!job) return;
          const lease = setInterval(() => void renewJobLease(this.store.db, job.id, this.worker).catch(() => undefined), JOB_LEASE_MS / 3);
          try {
            let finished = false;
            const ctx: JobContext = {
              jobId: job.id,
              finish: async (tx, result) => {
                // Held by another runner now (this one's lease ran out): roll the effects back.
                if (!(await completeJob(tx, job.id, result, this.worker)))
                  throw new AllianceError('INTERNAL', `job ${job.id} is no longer held by this runner; its work is undone`);
                finished = true;
              },
            };
            const result = await this.handlers[job.kind](job.data, ctx);
            if (!finished) await completeJob(this.store.db, job.id, result, this.worker);
          } catch (err) {
            await failJob(
              this.store.db,
              job,
              err instanceof Error ? err.message : String(err),
              this.attempts[job.kind] ?? DEFAULT_ATTEMPTS,
              isPermanent(err),
              this.worker,
            );
          } finally {
            clearInterval(lease);
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  /** Requeues jobs whose process is gone (this machine: at once) or whose lease ran out. */
  private async requeueInterrupted(): Promise<void> {
    this.staleCheckedAt = Date.now();
    for (const w of await runningJobWorkers(this.store.db)) if (isGoneHere(w)) await requeueWorker(this.store.db, w);
    await requeueStale(this.store.db, JOB_LEASE_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
