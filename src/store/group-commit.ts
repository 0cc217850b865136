/**
 * Group commit: writes that arrive while one transaction commits wait and then share the next one
 * — one BEGIN, one commit for all of them — instead of each paying its own. Each write runs in its
 * own savepoint, so a write that fails is rolled back alone and the others commit; each caller's
 * promise settles only after the transaction holding its write committed and is on disk (an
 * acknowledged write is durable, as with a transaction of its own). If the commit itself fails,
 * every write of the group fails with it.
 *
 * What every write of a group does alike is done once per group: a write may defer work to the
 * group's end (`deferToGroupEnd`: the audit entries of all the group's writes are appended to the
 * chain at once — one read and one update of its head), run just before the commit, in the
 * group's transaction. A write that fails drops what it deferred with its savepoint.
 *
 * SQLite (better-sqlite3 runs synchronously, on the event loop's thread): the group commits
 * without waiting for the disk, then the WAL is fsynced on a thread of libuv's pool while the
 * next group runs; the group's callers are answered after that fsync (`GroupDurability`). The
 * event loop never waits for the disk, and one fsync covers every group committed before it.
 */
import { CompiledQuery } from 'kysely';
import type { Db, Tx } from './database.js';

interface Job {
  work: (tx: Tx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** How a group's commit reaches the disk. Default: the commit itself waits for it. */
export interface GroupDurability {
  /** Runs `work` with commits that need not wait for the disk (`sync` follows each group). */
  relaxed<T>(work: (db: Db) => Promise<T>): Promise<T>;
  /** Settles once everything committed before the call is on disk. */
  sync(): Promise<void>;
}

/** Work that every write of a group may defer, done once for all of them at the group's end. */
export interface GroupDeferral<I> {
  flush(tx: Tx, items: I[]): Promise<void>;
}

type Deferred = Map<GroupDeferral<unknown>, unknown[]>;
/** The deferrals of the write running now in each group transaction. */
const running = new WeakMap<Tx, Deferred>();

/**
 * Inside a grouped write: `item` goes to `deferral.flush` at the end of the group, with those of
 * the group's other writes, in order (dropped if this write fails). Returns false outside a group
 * (the caller does the work itself, at once).
 */
export function deferToGroupEnd<I>(tx: Tx, deferral: GroupDeferral<I>, item: I): boolean {
  const current = running.get(tx);
  if (!current) return false;
  const items = current.get(deferral as GroupDeferral<unknown>);
  if (items) items.push(item);
  else current.set(deferral as GroupDeferral<unknown>, [item]);
  return true;
}

const SAVEPOINT = CompiledQuery.raw('savepoint group_write');
const RELEASE = CompiledQuery.raw('release savepoint group_write');
const ROLLBACK = CompiledQuery.raw('rollback to savepoint group_write');

const committed: Pick<GroupDurability, 'sync'> = { sync: () => Promise.resolve() };

/** PostgreSQL aborted the group for a deadlock (two groups' content locks, taken in their writes' order) or a serialization failure: run it again. */
const retryable = (err: unknown) => ['40P01', '40001'].includes((err as { code?: string })?.code ?? '');

export class GroupCommit {
  private queue: Job[] = [];
  private draining = false;

  constructor(
    private readonly db: Db,
    /** At most this many writes in one transaction (the rest wait for the next). */
    private readonly maxGroup = 256,
    private readonly durability?: GroupDurability,
  ) {}

  run<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (v: unknown) => void, reject });
      if (!this.draining) {
        this.draining = true;
        // Let the writes that arrive in this turn of the event loop join the first group.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async commitGroup(group: Job[]): Promise<Array<{ ok: true; value: unknown } | { ok: false; err: unknown }>> {
    const transaction = async (db: Db) =>
      db.transaction().execute(async (tx) => {
        const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
        const deferred: Deferred = new Map();
        for (const job of group) {
          const mine: Deferred = new Map();
          running.set(tx, mine);
          await tx.executeQuery(SAVEPOINT);
          try {
            outcomes.push({ ok: true, value: await job.work(tx) });
            await tx.executeQuery(RELEASE);
            for (const [d, items] of mine) {
              const all = deferred.get(d);
              if (all) all.push(...items);
              else deferred.set(d, items);
            }
          } catch (err) {
            await tx.executeQuery(ROLLBACK);
            await tx.executeQuery(RELEASE);
            outcomes.push({ ok: false, err });
          }
        }
        running.delete(tx);
        for (const [d, items] of deferred) await d.flush(tx, items);
        return outcomes;
      });
    for (let attempt = 0; ; attempt++) {
      try {
        return this.durability ? await this.durability.relaxed(transaction) : await transaction(this.db);
      } catch (err) {
        if (attempt >= 3 || !retryable(err)) throw err;
      }
    }
  }

  private async drain(): Promise<void> {
    const durability = this.durability ?? committed;
    while (this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroup);
      let outcomes: Awaited<ReturnType<GroupCommit['commitGroup']>>;
      try {
        outcomes = await this.commitGroup(group);
      } catch (err) {
        for (const job of group) job.reject(err);
        continue;
      }
      // Answered once on disk; the next group runs meanwhile.
      durability.sync().then(
        () =>
          group.forEach((job, i) => {
            const o = outcomes[i];
            if (o.ok) job.resolve(o.value);
            else job.reject(o.err);
          }),
        (err: unknown) => group.forEach((job) => job.reject(err)),
      );
    }
    this.draining = false;
  }
}
