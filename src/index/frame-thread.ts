/**
 * A vPDQ frame index that lives in a thread of its own (servers): comparing a long video's frames
 * with the index takes seconds, and it must never hold the thread that serves HTTP. Adds, removes
 * and queries are messages on one port, so they are applied in the order sent — a lookup sent
 * after an add sees it, exactly as with the in-thread FrameIndex, whose code the thread runs.
 * Queries that would wait behind `maxQueued` others are refused with SERVER_BUSY; a query of more
 * than `maxFrames` frames with PAYLOAD_TOO_LARGE.
 */
import { workerScript } from '../compute/worker-script.js';
import { Worker } from 'node:worker_threads';
import { AllianceError, type ErrorCode } from '../errors/catalogue.js';
import { Busy } from '../compute/worker-pool.js';
import { FrameIndex } from './frame-index.js';
import type { IndexMatch, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

export interface FrameThreadLimits {
  /** Queries waiting for the thread, at most; more are refused (SERVER_BUSY). */
  maxQueued: number;
  /** Frames of one query, at most (0 = any). */
  maxFrames: number;
}

export type FrameRequest =
  | { op: 'init'; signalType: string; snapshot?: Snapshot }
  | { op: 'add'; id: number; value: string }
  | { op: 'remove'; id: number }
  | { op: 'query'; qid: number; value: string; threshold: number; maxFrames: number }
  | { op: 'snapshot'; qid: number };

export type FrameReply =
  | { op: 'result'; qid: number; matches: IndexMatch[]; frames: number }
  | { op: 'snapshot'; qid: number; snapshot: Snapshot }
  | { op: 'error'; qid: number; error: { code: ErrorCode; message: string } }
  | { op: 'failed'; error: { code: ErrorCode; message: string } };

export class ThreadedFrameIndex implements SignalIndex {
  private readonly worker: Worker;
  private readonly ids = new Set<number>();
  private readonly pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  private nextQid = 1;
  private queries = 0;
  private frames = 0;
  private stopped: string | undefined;
  /** The last add or remove the thread could not apply (never expected: stored values are canonical). */
  lastError: string | undefined;

  constructor(
    readonly signalType: string,
    private readonly limits: FrameThreadLimits,
    snapshot?: Snapshot,
  ) {
    if (snapshot) FrameIndex.checkSnapshot(snapshot);
    this.worker = new Worker(workerScript(import.meta.url, 'frame-thread-worker.js'));
    this.worker.unref();
    this.worker.on('message', (m: FrameReply) => {
      if (m.op === 'failed') {
        this.lastError = m.error.message;
        return;
      }
      const p = this.pending.get(m.qid);
      if (!p) return;
      this.pending.delete(m.qid);
      if (m.op === 'error') p.reject(new AllianceError(m.error.code, m.error.message));
      else if (m.op === 'result') {
        this.frames = m.frames;
        p.resolve(m.matches as never);
      } else p.resolve(m.snapshot as never);
    });
    const die = (why: string) => {
      this.stopped = why;
      for (const p of this.pending.values()) p.reject(new AllianceError('INTERNAL', `the ${signalType} index thread stopped (${why}); restart the node`));
      this.pending.clear();
    };
    this.worker.on('error', (err) => die(err.message));
    this.worker.on('exit', (code) => die(`exit ${code}`));
    if (snapshot) {
      const ids = snapshot.sections.ids as Float64Array;
      for (const id of ids) this.ids.add(id);
    }
    this.post({ op: 'init', signalType, ...(snapshot ? { snapshot } : {}) });
  }

  private post(m: FrameRequest): void {
    this.worker.postMessage(m);
  }

  private ask<T>(make: (qid: number) => FrameRequest): Promise<T> {
    if (this.stopped) return Promise.reject(new AllianceError('INTERNAL', `the ${this.signalType} index thread stopped (${this.stopped}); restart the node`));
    const qid = this.nextQid++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(qid, { resolve: resolve as (v: never) => void, reject });
      this.post(make(qid));
    });
  }

  get size(): number {
    return this.ids.size;
  }

  add(id: number, value: string): void {
    this.ids.add(id);
    this.post({ op: 'add', id, value });
  }

  remove(id: number): boolean {
    if (!this.ids.delete(id)) return false;
    this.post({ op: 'remove', id });
    return true;
  }

  query(): IndexMatch[] {
    throw new AllianceError('INTERNAL', 'this index answers on its own thread: use queryAsync');
  }

  async queryAsync(value: string, threshold: number): Promise<IndexMatch[]> {
    if (this.queries >= this.limits.maxQueued + 1) {
      throw new Busy(`the node is comparing as many videos as it allows (${this.queries} lookups under way): retry in 5 s`, 5);
    }
    this.queries++;
    try {
      return await this.ask<IndexMatch[]>((qid) => ({ op: 'query', qid, value, threshold, maxFrames: this.limits.maxFrames }));
    } finally {
      this.queries--;
    }
  }

  stats(): Record<string, unknown> {
    return { size: this.ids.size, frames: this.frames, thread: this.stopped ? `stopped: ${this.stopped}` : 'running', lookups_in_flight: this.queries };
  }

  toSnapshot(): Snapshot {
    throw new AllianceError('INTERNAL', 'this index is snapshotted on its own thread: use snapshotAsync');
  }

  snapshotAsync(): Promise<Snapshot> {
    return this.ask<Snapshot>((qid) => ({ op: 'snapshot', qid }));
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
