/**
 * Runs durable jobs from the job table: claims one due job at a time, runs its handler, records
 * the result or the error (retried with back-off unless the error is the input's fault). Jobs a
 * crashed process left running go back to the queue when a runner starts.
 */
import { hostname } from 'node:os';
import { AllianceError } from '../errors/catalogue.js';
import type { Store } from '../store/database.js';
import { claimJob, completeJob, failJob, requeueStale } from '../store/jobs.js';

export type JobHandler = (data: unknown) => Promise<unknown>;

/** Errors that retrying cannot fix (bad input): the job fails at once. */
const PERMANENT = new Set(['IMPORT_INVALID', 'BANK_NOT_FOUND', 'FORBIDDEN', 'VALIDATION', 'SIGNAL_MALFORMED', 'CLASSIFICATION_INVALID']);

export class JobRunner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly worker = `${hostname()}:${process.pid}`;

  constructor(
    private readonly store: Store,
    private readonly handlers: Record<string, JobHandler>,
    private readonly intervalMs = 500,
  ) {}

  async start(): Promise<void> {
    await requeueStale(this.store.db, 10 * 60 * 1000);
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
  }

  /** Runs due jobs until none is left (also called by tests). */
  tick(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (;;) {
          const job = await claimJob(this.store.db, this.worker, Object.keys(this.handlers));
          if (!job) return;
          try {
            await completeJob(this.store.db, job.id, await this.handlers[job.kind](job.data));
          } catch (err) {
            const permanent = err instanceof AllianceError && PERMANENT.has(err.code);
            await failJob(this.store.db, job, err instanceof Error ? err.message : String(err), 5, permanent);
          }
        }
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
