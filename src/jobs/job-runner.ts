/**
 * Runs durable jobs from the job table: claims one due job at a time, runs its handler, records
 * the result or the error (retried with back-off unless the error is the input's fault: a 4xx in
 * the error catalogue). Jobs a crashed process left running go back to the queue (checked at start
 * and then once a minute).
 */
import { hostname } from 'node:os';
import { AllianceError } from '../errors/catalogue.js';
import type { Store } from '../store/database.js';
import { claimJob, completeJob, failJob, requeueStale } from '../store/jobs.js';

export type JobHandler = (data: unknown) => Promise<unknown>;

/** Attempts before a job fails for good, unless its kind says otherwise. */
const DEFAULT_ATTEMPTS = 5;

const STALE_MS = 10 * 60 * 1000;
const STALE_CHECK_MS = 60 * 1000;

/** Errors that retrying cannot fix (the input's fault): the job fails at once. */
export const isPermanent = (err: unknown): boolean => err instanceof AllianceError && err.status < 500;

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly worker = `${hostname()}:${process.pid}`;
  private staleCheckedAt = 0;

  constructor(
    private readonly store: Store,
    private readonly handlers: Record<string, JobHandler>,
    private readonly intervalMs = 500,
    /** Per kind: attempts before failing for good (messages to peers keep trying for days). */
    private readonly attempts: Record<string, number> = {},
  ) {}

  async start(): Promise<void> {
    await this.requeueStale();
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs due jobs until none is left (also called by tests). */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        if (Date.now() - this.staleCheckedAt > STALE_CHECK_MS) await this.requeueStale();
        for (;;) {
          const job = await claimJob(this.store.db, this.worker, Object.keys(this.handlers));
          if (!job) return;
          try {
            await completeJob(this.store.db, job.id, await this.handlers[job.kind](job.data));
          } catch (err) {
            await failJob(this.store.db, job, err instanceof Error ? err.message : String(err), this.attempts[job.kind] ?? DEFAULT_ATTEMPTS, isPermanent(err));
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  private async requeueStale(): Promise<void> {
    this.staleCheckedAt = Date.now();
    await requeueStale(this.store.db, STALE_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
