/**
 * The in-memory match indexes of one node, one per signal type, kept in step with the database's
 * signal change log. On start: restore snapshots written at log position S and replay the log
 * after S (seconds, even at 10 M hashes), or build from the signals table if there is no usable
 * snapshot. After every committed write the writer calls `catchUp()`, so the next lookup sees it;
 * other processes sharing a PostgreSQL database call it when notified.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type IndexMatch, type IndexOptions, QueryThreads, readSnapshot, SHARED_SNAPSHOT_KINDS, type SignalIndex, writeSnapshot } from '../index/index.js';
import { AllianceError } from '../errors/catalogue.js';
import { buildIndex, SIGNAL_TYPES } from '../signals/index.js';
import { allSignals, changesSince, countSignals, lastChangeSeq, nextTurn, type Store } from '../store/index.js';

export const CHANGES_CHANNEL = 'alliance_signal_changes';

export interface MatcherStatus {
  ready: boolean;
  seq: number;
  loadedFrom: 'snapshot' | 'database' | 'empty' | null;
  loadMs: number;
  lastSnapshotAt: number | null;
  types: Record<string, { size: number } & Record<string, unknown>>;
}

export class Matcher {
  private readonly indexes = new Map<string, SignalIndex>();
  private seq = 0;
  private ready = false;
  private loadedFrom: MatcherStatus['loadedFrom'] = null;
  private loadMs = 0;
  private lastSnapshotAt: number | null = null;
  /** The change-log position of the snapshot files on disk (written or restored). */
  private snapshotSeq: number | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  private readonly threads: QueryThreads | undefined;

  /**
   * @param queryThreads threads probing indexes that support them (0 = all on the calling thread).
   * @param ownThread servers: costly indexes (vPDQ) answer on a thread of their own, within these limits.
   * @param singlesOnThreads whether single queries go to the threads too (else only batches do).
   */
  constructor(
    private readonly store: Store,
    private readonly snapshotDir: string,
    queryThreads = 0,
    private readonly ownThread?: IndexOptions['ownThread'],
    singlesOnThreads = true,
  ) {
    this.threads = queryThreads > 0 ? new QueryThreads(queryThreads, singlesOnThreads) : undefined;
  }

  private get indexOptions(): IndexOptions {
    return { shared: this.threads !== undefined, ...(this.ownThread ? { ownThread: this.ownThread } : {}) };
  }

  /** Connects a new or restored index to the query threads. */
  private attach(type: string, index: SignalIndex): void {
    if (this.threads && index.useThreads) index.useThreads(this.threads);
    this.indexes.set(type, index);
  }

  private snapshotFile(type: string): string {
    return join(this.snapshotDir, `${type}.snapshot`);
  }

  /** Loads snapshots (when all are present and consistent) or builds from the database. */
  async load(): Promise<void> {
    const started = performance.now();
    const head = await lastChangeSeq(this.store.db);
    const restored = await this.restoreSnapshots(head);
    if (restored) {
      this.loadedFrom = 'snapshot';
      await this.catchUp();
    } else {
      await this.buildFromDatabase();
    }
    this.ready = true;
    this.loadMs = performance.now() - started;
  }

  private async restoreSnapshots(head: number): Promise<boolean> {
    const files = [...SIGNAL_TYPES.keys()].map((t) => this.snapshotFile(t));
    if (!files.every((f) => existsSync(f))) return false;
    try {
      // Read straight into the memory the indexes keep (shared for query threads), then adopted: one copy.
      const snaps = await Promise.all(files.map((f) => readSnapshot(f, this.threads ? { sharedKinds: SHARED_SNAPSHOT_KINDS } : {})));
      const seqs = new Set(snaps.map((s) => Number(s.meta.seq)));
      const [seq] = [...seqs];
      if (seqs.size !== 1 || !Number.isInteger(seq) || seq > head) return false;
      for (const snap of snaps) this.attach(snap.signalType, SIGNAL_TYPES.get(snap.signalType)!.restoreIndex(snap, { ...this.indexOptions, adopt: true }));
      this.seq = seq;
      this.snapshotSeq = seq;
      return true;
    } catch {
      await Promise.all([...this.indexes.values()].map((i) => i.close?.())); // indexes on threads of their own
      this.indexes.clear();
      return false; // a damaged snapshot is rebuilt from the database
    }
  }

  /** Builds every index from the signals table, at a consistent log position. */
  private async buildFromDatabase(): Promise<void> {
    // One snapshot for the log position and every signal read (PostgreSQL's default, read
    // committed, would let a build see signals committed after the position it recorded), holding
    // no write lock: on SQLite another process (a second serve worker, a CLI import) goes on writing.
    await this.store.consistentRead(async (tx) => {
      this.seq = await lastChangeSeq(tx);
      // Each type builds its index its own way (PDQ packs the hashes in bulk).
      // A bulk build (PDQ) is told the count first, read in the same snapshot, so it packs into
      // arrays of the right size and keeps them; the others add one by one and need none.
      for (const type of SIGNAL_TYPES.values()) {
        const expected = type.buildIndex ? await countSignals(tx, type.name) : undefined;
        this.attach(type.name, await buildIndex(type, allSignals(tx, type.name), { ...this.indexOptions, expected }));
      }
    });
    this.loadedFrom = [...this.indexes.values()].some((i) => i.size > 0) ? 'database' : 'empty';
  }

  /** Runs `work` after everything queued before it; a failure does not block what follows. */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.chain.then(work);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Applies every change logged since the last one applied. Calls are serialised. */
  catchUp(): Promise<number> {
    return this.serial(async () => {
      let applied = 0;
      for (;;) {
        const changes = await changesSince(this.store.db, this.seq);
        for (const c of changes) {
          const index = this.indexes.get(c.signal_type);
          if (index && c.value !== null) {
            if (c.op === 'add') index.add(c.signal_id, c.value);
            else index.remove(c.signal_id, c.value);
          }
          this.seq = c.seq;
          applied++;
        }
        if (changes.length < 10_000) return applied;
        await nextTurn(); // a large catch-up (an import) does not hold HTTP
      }
    });
  }

  /** Matches of `value` (canonical) in the index of `type`: signal ids and distances. */
  async query(type: string, value: string, threshold: number): Promise<IndexMatch[]> {
    if (!this.ready) throw new AllianceError('INDEX_NOT_READY', 'the match index is still loading');
    const index = this.indexes.get(type);
    if (!index) throw new AllianceError('SIGNAL_TYPE_UNKNOWN', `no index for signal type "${type}"`);
    return index.queryAsync ? index.queryAsync(value, threshold) : index.query(value, threshold);
  }

  /** Whether the index of `type` answers batches together (queryBatch). */
  batches(type: string): boolean {
    return this.ready && this.indexes.get(type)?.queryBatch !== undefined;
  }

  /** `query` for many values of one type at one threshold, answered together (a batch lookup; see `batches`). */
  async queryBatch(type: string, values: readonly string[], threshold: number): Promise<IndexMatch[][]> {
    const index = this.indexes.get(type);
    if (!this.ready || !index?.queryBatch) throw new AllianceError('INTERNAL', `the ${type} index does not answer batches`);
    return index.queryBatch(values, threshold);
  }

  /** Stops the query threads and the indexes' own threads. */
  async close(): Promise<void> {
    await this.threads?.close();
    await Promise.all([...this.indexes.values()].map((i) => i.close?.()));
  }

  /** Writes every index's snapshot at the current log position. */
  snapshot(): Promise<{ files: number; bytes: number; seq: number }> {
    return this.serial(async () => {
      // Nothing changed since the files on disk were written: rewriting them would only cost time.
      if (this.snapshotSeq === this.seq) return { files: 0, bytes: 0, seq: this.seq };
      mkdirSync(this.snapshotDir, { recursive: true, mode: 0o700 });
      let bytes = 0;
      for (const [type, index] of this.indexes) {
        const snap = index.snapshotAsync ? await index.snapshotAsync() : index.toSnapshot();
        bytes += await writeSnapshot(this.snapshotFile(type), { ...snap, meta: { ...snap.meta, seq: this.seq } });
      }
      this.lastSnapshotAt = Date.now();
      this.snapshotSeq = this.seq;
      return { files: this.indexes.size, bytes, seq: this.seq };
    });
  }

  status(): MatcherStatus {
    const types: MatcherStatus['types'] = {};
    for (const [type, index] of this.indexes) types[type] = { ...index.stats(), size: index.size };
    return { ready: this.ready, seq: this.seq, loadedFrom: this.loadedFrom, loadMs: this.loadMs, lastSnapshotAt: this.lastSnapshotAt, types };
  }
}
