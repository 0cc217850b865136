/**
 * SQLite WAL checkpoints off the event loop, for servers. By default SQLite checkpoints in the
 * commit that takes the WAL past 1,000 pages: that commit copies the pages into the database file
 * and fsyncs both files on the thread that serves HTTP (measured by running a submission's
 * statements alone on bench:actions' database: 37 of the ~94 µs of database time went to
 * checkpoints). A server's store hands them to a thread of their own with its own connection
 * (store/checkpoint-worker.ts): PASSIVE checkpoints, which wait for no reader or writer, ten times
 * a second; commits only append to the WAL, and SQLite starts it over once a checkpoint has
 * copied all of it.
 *
 * The serving connection keeps a far higher automatic threshold as a floor (the WAL cannot grow
 * without bound if the thread stalls); if the thread fails, the caller goes back to SQLite's own
 * checkpoints. Closing the store stops the thread before the last connection closes (which
 * checkpoints the rest).
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { workerScript } from '../compute/worker-script.js';

/** WAL pages at which the serving connection checkpoints by itself (the floor; SQLite's default is 1,000). */
export const FALLBACK_AUTOCHECKPOINT = 16_384;
/** How often the thread checkpoints what was committed since. */
export const CHECKPOINT_INTERVAL_MS = 100;

export interface CheckpointerMessage {
  /** Frames in the WAL and frames copied into the database by the last checkpoint. */
  log: number;
  checkpointed: number;
}

export interface Checkpointer {
  /** Frames of the WAL and how many of them are in the database file, after the next checkpoint. */
  state(): Promise<CheckpointerMessage>;
  close(): Promise<void>;
}

export function startCheckpointer(file: string, onError: (err: Error) => void): Checkpointer {
  const worker = new Worker(workerScript(import.meta.url, 'checkpoint-worker.js'), { workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS } });
  let stopped = false;
  worker.on('error', (err) => onError(err));
  const exited = once(worker, 'exit').catch(() => undefined);
  return {
    async state() {
      const reply = once(worker, 'message') as Promise<[CheckpointerMessage]>;
      worker.postMessage('state');
      return (await reply)[0];
    },
    async close() {
      if (stopped) return;
      stopped = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}
