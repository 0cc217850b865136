/** Worker-thread entry of the hashing pool: hashes the files it is sent, one at a time. */
import { parentPort } from 'node:worker_threads';
import { hashFile } from './hash-file.js';
import type { WorkerReply, WorkerTask } from './pool.js';

const port = parentPort;
if (!port) throw new Error('hasher/worker must run in a worker thread');

port.on('message', (task: WorkerTask) => {
  let last = 0;
  const onProgress = (fraction: number) => {
    const now = Date.now();
    if (now - last < 200) return;
    last = now;
    port.postMessage({ id: task.id, kind: 'progress', fraction } satisfies WorkerReply);
  };
  hashFile(task.entry, task.request, onProgress).then(
    (result) => port.postMessage({ id: task.id, kind: 'done', result } satisfies WorkerReply),
    (err: unknown) =>
      port.postMessage({
        id: task.id,
        kind: 'done',
        result: { path: task.entry.path, size: task.entry.size, status: 'failed', signals: {}, error: { code: 'INTERNAL', message: String(err) } },
      } satisfies WorkerReply),
  );
});
