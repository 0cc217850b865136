/**
 * A pool of worker threads for CPU-heavy work — hashing files (sharp and ffmpeg add their own
 * native threads), comparing long vPDQ values — one task per thread at a time, so the thread that
 * serves HTTP stays free. A queue holds what waits; with `maxQueued` set, a task that would wait
 * behind that many others is refused at once with SERVER_BUSY (503 and a Retry-After), instead of
 * piling up. A thread that dies takes only its current task with it (a hash task is reported
 * failed, others reject) and a fresh thread takes its place.
 */
import { workerScript } from './worker-script.js';
import { Worker } from 'node:worker_threads';
import { AllianceError, type ErrorCode } from '../errors/catalogue.js';
import type { FileResult, HashRequest } from '../hasher/hash-file.js';
import type { FileEntry } from '../hasher/walk.js';
import type { CompareResult } from '../signals/index.js';
import type { Task } from './tasks.js';

export type WorkerReply =
  | { id: number; kind: 'progress'; fraction: number }
  | { id: number; kind: 'done'; result: unknown }
  | { id: number; kind: 'error'; error: { code: ErrorCode; message: string } };

interface Pending {
  id: number;
  task: Task;
  resolve: (r: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (fraction: number) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
}

export interface PoolOptions {
  /** Tasks that may wait for a thread; one more is refused with SERVER_BUSY (default: unbounded). */
  maxQueued?: number;
  /** Seconds a refused caller is told to wait (Retry-After). */
  retryAfterS?: number;
}

/** SERVER_BUSY with the seconds to wait, which the API sends as Retry-After. */
export class Busy extends AllianceError {
  constructor(
    message: string,
    readonly retryAfterS: number,
  ) {
    super('SERVER_BUSY', message);
  }
}

/**
 * @example
 * const pool = new WorkerPool(4);
 * const result = await pool.hash(entry, request);
 * await pool.close();
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    readonly size: number,
    private readonly options: PoolOptions = {},
  ) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  /** Tasks waiting for a thread. */
  get queued(): number {
    return this.queue.length;
  }

  /** Tasks on a thread now. */
  get running(): number {
    return this.slots.filter((s) => s.busy).length;
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerScript(import.meta.url, 'worker.js')) };
    slot.worker.on('message', (msg: WorkerReply) => {
      const p = slot.busy;
      if (!p || p.id !== msg.id) return;
      if (msg.kind === 'progress') return p.onProgress?.(msg.fraction);
      slot.busy = undefined;
      if (msg.kind === 'done') p.resolve(msg.result);
      else p.reject(new AllianceError(msg.error.code, msg.error.message));
      this.dispatch();
    });
    const onDeath = (why: string) => {
      const p = slot.busy;
      slot.busy = undefined;
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
      if (p) {
        if (p.task.kind === 'hash') {
          const { entry } = p.task;
          p.resolve({
            path: entry.path,
            size: entry.size,
            status: 'failed',
            signals: {},
            error: { code: 'INTERNAL', message: `hashing worker died: ${why}` },
          } satisfies FileResult);
        } else p.reject(new AllianceError('INTERNAL', `compute worker died: ${why}`));
      }
      this.dispatch();
    };
    slot.worker.on('error', (err) => onDeath(err.message));
    slot.worker.on('exit', (code) => {
      if (!this.closed) onDeath(`exit code ${code}`);
    });
    return slot;
  }

  /** Runs a task on the next free thread (refused with SERVER_BUSY when the queue is full). */
  run(task: Task, onProgress?: (fraction: number) => void): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the compute pool is closed'));
    const free = this.slots.some((s) => !s.busy);
    if (!free && this.options.maxQueued !== undefined && this.queue.length >= this.options.maxQueued) {
      const wait = this.options.retryAfterS ?? 5;
      return Promise.reject(new Busy(`the node is busy with heavy work (${this.running} running, ${this.queue.length} waiting): retry in ${wait} s`, wait));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, task, resolve, reject, onProgress });
      this.dispatch();
    });
  }

  /** Hashes one file. Never rejects for the file's sake: failures are results (SERVER_BUSY rejects). */
  hash(entry: FileEntry, request: HashRequest, onProgress?: (fraction: number) => void): Promise<FileResult> {
    return this.run({ kind: 'hash', entry, request }, onProgress) as Promise<FileResult>;
  }

  /** Normalises and compares two values of a signal type. */
  compare(signalType: string, a: string, b: string, threshold: number): Promise<CompareResult> {
    return this.run({ kind: 'compare', signalType, a, b, threshold }) as Promise<CompareResult>;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage({ id: p.id, task: p.task });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new Error('the compute pool is closed'));
    for (const s of this.slots) {
      s.busy?.reject(new Error('the compute pool is closed'));
      s.busy = undefined;
    }
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
