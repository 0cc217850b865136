/**
 * What matching needs from an index, whatever the algorithm: add, remove, query under a
 * threshold, size, and a snapshot. Each SignalType names its index factory, so the matcher never
 * special-cases an algorithm.
 */
import type { QueryThreads } from './query-threads.js';
import type { Snapshot } from './snapshot.js';

export interface IndexOptions {
  /** Allocate in shared memory so query threads can read it. */
  shared?: boolean;
  /**
   * Servers: indexes whose queries are costly (SignalType.costly) answer on a thread of their own,
   * with these limits on waiting queries and on the units (vPDQ: frames) of one query.
   */
  ownThread?: { maxQueued: number; maxUnits: number };
  /** restoreIndex: the index may keep the snapshot's arrays as its own (a snapshot just read, used by nothing else). */
  adopt?: boolean;
  /** buildIndex: how many entries its pages hold (counted in the same read), so a bulk build allocates its arrays once. */
  expected?: number;
}

export interface IndexMatch {
  /** The signal id given to `add`. */
  id: number;
  /** Lower is closer, in the signal type's own unit (bits, 0/1, 100 − % of query frames). */
  distance: number;
  detail?: Record<string, number>;
}

export interface SignalIndex {
  /** Adds a canonical value under `id`; matchable by the next query. */
  add(id: number, value: string): void;
  /** Removes the value added under `id`; returns whether it was there. */
  remove(id: number, value: string): boolean;
  /** Every entry that matches `value` under `threshold`. */
  query(value: string, threshold: number): IndexMatch[];
  /** The same, possibly computed on query threads (indexes that support them). */
  queryAsync?(value: string, threshold: number): Promise<IndexMatch[]>;
  /** `query` for many values at once, each answered as alone (indexes that answer batches faster). */
  queryBatch?(values: readonly string[], threshold: number): Promise<IndexMatch[][]>;
  /** Lets query threads probe this index (indexes created with { shared: true }). */
  useThreads?(threads: QueryThreads): void;
  readonly size: number;
  stats(): Record<string, unknown>;
  toSnapshot(): Snapshot;
  /** The snapshot, from indexes that live on a thread of their own. */
  snapshotAsync?(): Promise<Snapshot>;
  /** Stops what the index runs (its thread). */
  close?(): Promise<void>;
}
