/**
 * Group commit for SQLite: writes that arrive while one transaction commits wait and then share the
 * next one — one BEGIN, one fsync for all of them — instead of each paying its own fsync. Each
 * write runs in its own savepoint, so a write that fails is rolled back alone and the others
 * commit; each caller's promise settles only after the transaction holding its write committed
 * (an acknowledged write is on disk, as with a transaction of its own). If the commit itself fails,
 * every write of the group fails with it.
 */
import { sql } from 'kysely';
import type { Db, Tx } from './database.js';

interface Job {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

export class GroupCommit {
  private queue: Job[] = [];
  private running = false;

  constructor(
    private readonly db: Db,
    /** At most this many writes in one transaction (the rest wait for the next). */
    private readonly maxGroup = 256,
  ) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) {
        this.running = true;
        // Let the writes that arrive in this turn of the event loop join the first group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
      try {
        await this.db.transaction().execute(async (tx) => {
          for (const job of group) {
            await sql`savepoint group_write`.execute(tx);
            try {
              outcomes.push({ ok: true, value: await job.work(tx) });
              await sql`release savepoint group_write`.execute(tx);
            } catch (err) {
              await sql`rollback to savepoint group_write`.execute(tx);
              await sql`release savepoint group_write`.execute(tx);
              outcomes.push({ ok: false, err });
            }
          }
        });
      } catch (err) {
        for (const job of group) job.reject(err);
        continue;
      }
      group.forEach((job, i) => {
        const o = outcomes[i];
        if (o.ok) job.resolve(o.value);
        else job.reject(o.err);
      });
    }
    this.running = false;
  }
}
