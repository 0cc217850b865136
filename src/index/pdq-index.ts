/** The SignalIndex of 256-bit Hamming signal types (PDQ), over HammingIndex. */
import { packHex256 } from '../signals/pdq/hash256.js';
import { HammingIndex } from './hamming-index.js';
import type { QueryThreads } from './query-threads.js';
import type { IndexMatch, IndexOptions, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

export class Hamming256SignalIndex implements SignalIndex {
  constructor(
    readonly signalType: string,
    readonly index: HammingIndex = new HammingIndex(),
  ) {}

  get size(): number {
    return this.index.size;
  }

  add(id: number, value: string): void {
    this.index.add(id, value);
  }

  remove(id: number, value: string): boolean {
    return this.index.remove(id, value);
  }

  query(value: string, threshold: number): IndexMatch[] {
    return this.index.query(value, threshold);
  }

  queryAsync(value: string, threshold: number): Promise<IndexMatch[]> {
    return this.index.queryAsync(value, threshold);
  }

  queryBatch(values: readonly string[], threshold: number): Promise<IndexMatch[][]> {
    const qs = new Uint32Array(values.length * 8);
    values.forEach((v, i) => packHex256(v, qs, i * 8));
    return this.index.queryBatchAsync(qs, values.length, threshold);
  }

  useThreads(threads: QueryThreads): void {
    this.index.useThreads(threads);
  }

  stats(): Record<string, unknown> {
    return { ...this.index.stats() };
  }

  toSnapshot(): Snapshot {
    return this.index.toSnapshot(this.signalType);
  }

  static fromSnapshot(snap: Snapshot, options: IndexOptions = {}): Hamming256SignalIndex {
    return new Hamming256SignalIndex(snap.signalType, HammingIndex.fromSnapshot(snap, options));
  }
}
