/**
 * The thread that checkpoints a server's SQLite WAL (see checkpointer.ts): its own connection to
 * the database file, a PASSIVE checkpoint every `intervalMs` (which copies nothing when the
 * database file holds every frame already), each fsynced (synchronous FULL) as SQLite's own would be.
 */
import SQLite from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointerMessage } from './checkpointer.js';

const port = parentPort;
if (!port) throw new Error('store/checkpoint-worker must run in a worker thread');
const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new SQLite(file, { fileMustExist: true });
db.pragma('synchronous = FULL');
db.pragma('wal_autocheckpoint = 0'); // this connection never writes; its checkpoints are the ones below

const checkpoint = (): CheckpointerMessage => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  return { log: r.log, checkpointed: r.checkpointed };
};

const timer = setInterval(checkpoint, intervalMs);
port.on('message', (m: 'state' | 'stop') => {
  if (m === 'state') port.postMessage(checkpoint());
  else {
    clearInterval(timer);
    db.close();
    port.close();
  }
});
