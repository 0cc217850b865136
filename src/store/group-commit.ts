/**
 * Group commit: writes that arrive while one transaction commits wait and then share the next one
 * — one BEGIN, one commit for all of them — instead of each paying its own. A write that fails is
 * rolled back alone and the others commit (the group runs again with each write in a savepoint of
 * its own: see commitGroup); each caller's promise settles only after the transaction holding its
 * write committed and is on disk (an acknowledged write is durable, as with a transaction of its
 * own). If the commit itself fails, every write of the group fails with it.
 *
 * What every write of a group does alike is done once per group: a write may defer work to the
 * group's end (`deferToGroupEnd`: the audit entries of all the group's writes are appended to the
 * chain at once — one read and one update of its head), run just before the commit, in the
 * group's transaction; `last` deferrals after the others, and a deferral whose flush is one
 * statement may be sent with the next one's first (`Carried`). A write that fails drops what it
 * deferred with its savepoint; a deferral that fails at the group's end runs the group again with
 * savepoints. `flushDeferred` flushes what the group deferred so far at once, for a write that
 * must follow it (PostgreSQL's submissions: see submissions-repo pendingSubmissions).
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
  locks: readonly string[];
  reads: readonly number[];
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

/**
 * A deferral's flush as one data-modifying statement's `with` items (PostgreSQL; no final select,
 * parameters $1…$n), which the next deferral sends with its own first statement — one round trip
 * for both.
 */
export interface Carried {
  ctes: string;
  params: unknown[];
}

/** Work that every write of a group may defer, done once for all of them at the group's end. */
export interface GroupDeferral<I> {
  /** `carried`: an earlier deferral's statement, to be sent with this one's first (see `carries`). */
  flush(tx: Tx, items: I[], carried?: Carried): Promise<void>;
  /** Flushed after every other deferral (the audit chain: its head stays locked from its flush to the commit). */
  last?: boolean;
  /** The flush as a statement that the next deferral can carry (when that one `acceptsCarried`). */
  carries?(tx: Tx, items: I[]): Carried | undefined;
  /** Whether `flush` sends a `carried` statement with its first. */
  acceptsCarried?: boolean;
}

type Deferred = Map<GroupDeferral<unknown>, unknown[]>;
/** The deferrals of the write running now in each group transaction. */
const running = new WeakMap<Tx, Deferred>();
/** The deferrals of the writes of each group transaction that have finished, and whether it runs with savepoints. */
const finished = new WeakMap<Tx, { deferred: Deferred; savepoints: boolean }>();

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

/**
 * Inside a grouped write: what the group's writes deferred to `deferral` so far, this one's
 * included, is flushed now, in order, instead of at the group's end — for a write that must follow
 * them (a row that refers to one of theirs). With savepoints (the group runs again after a write
 * failed), only this write's own: the others' would otherwise be rolled back with this one's.
 */
export async function flushDeferred<I>(tx: Tx, deferral: GroupDeferral<I>): Promise<void> {
  const d = deferral as GroupDeferral<unknown>;
  const group = finished.get(tx);
  const current = running.get(tx);
  const items = [...(group && !group.savepoints ? (group.deferred.get(d) ?? []) : []), ...(current?.get(d) ?? [])];
  if (group && !group.savepoints) group.deferred.delete(d);
  current?.delete(d);
  if (items.length > 0) await deferral.flush(tx, items as I[]);
}

/** The keys the running group's transaction locked at its start (see GroupCommit.run). */
const held = new WeakMap<Tx, ReadonlySet<string>>();

/** Keys a grouped write declared and its group's transaction already holds: the write need not lock them again. */
export function heldLocks(tx: Tx): ReadonlySet<string> | undefined {
  return held.get(tx);
}

/**
 * What a group's writes declared, handled once at its start (PostgreSQL: see submissions-repo
 * startSubmissionGroup): takes transaction-scoped locks on `keys`, in the order given (advisory
 * locks), and may read what they guard for the group's writes — unless the group runs with
 * savepoints, where a write rolled back alone would leave what was read behind — and what the
 * writes will read (`reads`: the signal ids whose match contexts they need). `writes`: how many
 * writes the group has.
 */
export type GroupStart = (tx: Tx, start: { keys: string[]; reads: number[]; savepoints: boolean; writes: number }) => Promise<void>;

/** What a grouped write declares for its group's start (GroupCommit.run). */
export interface GroupInputs {
  /** Keys the write would lock before reading (see GroupCommit.run). */
  locks?: readonly string[];
  /** Signal ids whose match contexts the write reads (read for the whole group at its start). */
  reads?: readonly number[];
}

const SAVEPOINT = CompiledQuery.raw('savepoint group_write');
const RELEASE = CompiledQuery.raw('release savepoint group_write');
const ROLLBACK = CompiledQuery.raw('rollback to savepoint group_write');

const committed: Pick<GroupDurability, 'sync'> = { sync: () => Promise.resolve() };

/** PostgreSQL aborted the group for a deadlock (locks its writes took beyond those declared) or a serialization failure: run it again. */
const retryable = (err: unknown) => ['40P01', '40001'].includes((err as { code?: string })?.code ?? '');

type Outcome = { ok: true; value: unknown } | { ok: false; err: unknown };

/** A write of a group run without savepoints failed (its error is the cause): the transaction is rolled back. */
class WriteFailed extends Error {
  constructor(cause: unknown) {
    super('a grouped write failed', { cause });
  }
}

export interface GroupCommitOptions {
  /** At most this many writes in one transaction (the rest wait for the next). Default 256. */
  maxGroup?: number;
  /** How a group's commit reaches the disk (default: the commit waits for it). */
  durability?: GroupDurability;
  /** Where concurrent writers lock what they read before writing, and reads for them are done (PostgreSQL): see run. */
  start?: GroupStart;
  /**
   * Groups in flight at once (default 1). PostgreSQL: each on a connection of its own, so the next
   * group's statements run while one waits for its commit; SQLite has one writer.
   */
  concurrency?: number;
}

export class GroupCommit {
  private queue: Job[] = [];
  private scheduled = false;
  private inFlight = 0;
  private readonly maxGroup: number;
  private readonly durability?: GroupDurability;
  private readonly start?: GroupStart;
  private readonly concurrency: number;

  constructor(
    private readonly db: Db,
    options: GroupCommitOptions = {},
  ) {
    this.maxGroup = options.maxGroup ?? 256;
    this.durability = options.durability;
    this.start = options.start;
    this.concurrency = options.concurrency ?? 1;
  }

  /**
   * Runs `work` in the next group. `inputs.locks` are keys the write would lock before reading (content
   * keys: two uploads of one new content must not both see it new): the group takes every write's
   * keys at its start, in one sorted order and one statement, so groups of several processes
   * cannot deadlock on them, and the writes find them held (heldLocks). `reads` are signal ids
   * whose match contexts the write needs: read for every write of the group at its start.
   */
  run<T>(work: (tx: Tx) => Promise<T>, inputs: GroupInputs = {}): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, locks: inputs.locks ?? [], reads: inputs.reads ?? [], resolve: resolve as (v: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Starts groups of what is queued, up to `concurrency` in flight, once this turn of the event loop is over (so its writes join). */
  private schedule(): void {
    if (this.scheduled || this.queue.length === 0 || this.inFlight >= this.concurrency) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < this.concurrency) {
        this.inFlight++;
        void this.runGroup(this.queue.splice(0, this.maxGroup)).finally(() => {
          this.inFlight--;
          this.schedule();
        });
      }
    });
  }

  /**
   * Runs the group's writes in one transaction. First without savepoints (two statements a write
   * fewer): a write that fails then aborts the transaction, which runs again with each write in a
   * savepoint of its own, so the others still commit. A group of one needs none: its failure is its own.
   */
  private async commitGroup(group: Job[]): Promise<Outcome[]> {
    const transaction = (savepoints: boolean) => async (db: Db) =>
      db.transaction().execute(async (tx) => {
        if (this.start) {
          const keys = [...new Set(group.flatMap((job) => job.locks))].sort();
          const reads = [...new Set(group.flatMap((job) => job.reads))];
          if (keys.length > 0 || reads.length > 0) await this.start(tx, { keys, reads, savepoints, writes: group.length });
          held.set(tx, new Set(keys));
        }
        const outcomes: Outcome[] = [];
        const deferred: Deferred = new Map();
        finished.set(tx, { deferred, savepoints });
        for (const job of group) {
          const mine: Deferred = new Map();
          running.set(tx, mine);
          if (savepoints) await tx.executeQuery(SAVEPOINT);
          try {
            outcomes.push({ ok: true, value: await job.work(tx) });
            if (savepoints) await tx.executeQuery(RELEASE);
            for (const [d, items] of mine) {
              const all = deferred.get(d);
              if (all) all.push(...items);
              else deferred.set(d, items);
            }
          } catch (err) {
            if (!savepoints) throw new WriteFailed(err);
            await tx.executeQuery(ROLLBACK);
            await tx.executeQuery(RELEASE);
            outcomes.push({ ok: false, err });
          }
        }
        running.delete(tx);
        held.delete(tx);
        finished.delete(tx);
        const order = [...deferred].sort(([a], [b]) => Number(a.last ?? false) - Number(b.last ?? false));
        let carried: Carried | undefined;
        for (const [i, [d, items]] of order.entries()) {
          try {
            // A flush that the next deferral can send with its own first statement goes with it.
            const next = order[i + 1]?.[0];
            const carry = !carried && next?.acceptsCarried ? d.carries?.(tx, items) : undefined;
            if (carry) {
              carried = carry;
              continue;
            }
            await d.flush(tx, items, carried);
            carried = undefined;
          } catch (err) {
            // Which write's item failed is unknown here: run the group again, each write alone.
            if (!savepoints) throw new WriteFailed(err);
            throw err;
          }
        }
        return outcomes;
      });
    let savepoints = false;
    for (let attempt = 0; ; attempt++) {
      try {
        const run = transaction(savepoints);
        return this.durability ? await this.durability.relaxed(run) : await run(this.db);
      } catch (err) {
        if (err instanceof WriteFailed) {
          if (group.length === 1) return [{ ok: false, err: err.cause }];
          savepoints = true;
          continue;
        }
        if (attempt >= 3 || !retryable(err)) throw err;
      }
    }
  }

  private async runGroup(group: Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.commitGroup(group);
    } catch (err) {
      for (const job of group) job.reject(err);
      return;
    }
    // Answered once on disk; the next group runs meanwhile.
    (this.durability ?? committed).sync().then(
      () =>
        group.forEach((job, i) => {
          const o = outcomes[i];
          if (o.ok) job.resolve(o.value);
          else job.reject(o.err);
        }),
      (err: unknown) => group.forEach((job) => job.reject(err)),
    );
  }
}
