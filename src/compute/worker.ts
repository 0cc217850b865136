/** Worker-thread entry of the compute pool: runs the tasks it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { toAllianceError } from '../errors/catalogue.js';
import { runTask, type Task } from './tasks.js';
import type { WorkerReply } from './worker-pool.js';

const port = parentPort;
if (!port) throw new Error('compute/worker must run in a worker thread');

port.on('message', (msg: { id: number; task: Task }) => {
  let last = 0;
  const onProgress = (fraction: number) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    port.postMessage({ id: msg.id, kind: 'progress', fraction } satisfies WorkerReply);
  };
  runTask(msg.task, onProgress).then(
    (result) => port.postMessage({ id: msg.id, kind: 'done', result } satisfies WorkerReply),
    (err: unknown) => port.postMessage({ id: msg.id, kind: 'error', error: toAllianceError(err).toJSON() } satisfies WorkerReply),
  );
});
