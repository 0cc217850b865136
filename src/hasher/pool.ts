/**
 * A pool of worker threads that hash files in parallel (one file per worker at a time; sharp and
 * ffmpeg add their own native threads). A worker that dies takes only its current file with it:
 * that file is reported failed and a fresh worker takes its place.
 */
import { Worker } from 'node:worker_threads';
import type { FileResult, HashRequest } from './hash-file.js';
import type { FileEntry } from './walk.js';

export interface WorkerTask {
  id: number;
  entry: FileEntry;
  request: HashRequest;
}

export type WorkerReply = { id: number; kind: 'progress'; fraction: number } | { id: number; kind: 'done'; result: FileResult };

interface Pending {
  task: WorkerTask;
  resolve: (r: FileResult) => void;
  onProgress?: (fraction: number) => void;
}

interface Slot {
  worker: Worker;
  busy?: Pending;
}

/** The worker script beside this module; from TypeScript sources (tests), the compiled one (workers cannot load .ts on Node 20). */
function workerScript(): URL {
  const self = import.meta.url;
  return self.endsWith('.ts') ? new URL('../../dist/hasher/worker.js', self) : new URL('./worker.js', self);
}

/**
 * @example
 * const pool = new HashPool(4);
 * const result = await pool.hash(entry, request);
 * await pool.close();
 */
export class HashPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const slot: Slot = { worker: new Worker(workerScript()) };
    slot.worker.on('message', (msg: WorkerReply) => {
      const p = slot.busy;
      if (!p || p.task.id !== msg.id) return;
      if (msg.kind === 'progress') p.onProgress?.(msg.fraction);
      else {
        slot.busy = undefined;
        p.resolve(msg.result);
        this.dispatch();
      }
    });
    const onDeath = (why: string) => {
      const p = slot.busy;
      slot.busy = undefined;
      const i = this.slots.indexOf(slot);
      if (i >= 0 && !this.closed) this.slots[i] = this.spawn();
      if (p) {
        const { entry } = p.task;
        p.resolve({ path: entry.path, size: entry.size, status: 'failed', signals: {}, error: { code: 'INTERNAL', message: `hashing worker died: ${why}` } });
      }
      this.dispatch();
    };
    slot.worker.on('error', (err) => onDeath(err.message));
    slot.worker.on('exit', (code) => {
      if (!this.closed) onDeath(`exit code ${code}`);
    });
    return slot;
  }

  /** Hashes one file on the next free worker. Never rejects: failures are results. */
  hash(entry: FileEntry, request: HashRequest, onProgress?: (fraction: number) => void): Promise<FileResult> {
    if (this.closed) throw new Error('pool is closed');
    return new Promise((resolve) => {
      this.queue.push({ task: { id: this.nextId++, entry, request }, resolve, onProgress });
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) return;
      if (slot.busy) continue;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.postMessage(p.task);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
