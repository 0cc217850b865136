/**
 * A query thread: probes the shared base of a HammingIndex (see query-threads.ts). It only reads
 * shared memory; the main thread owns every write and checks liveness again after.
 */
import { parentPort } from 'node:worker_threads';
import { probeBase, type HammingView } from './hamming-probe.js';
import type { ThreadReply, ThreadRequest } from './query-threads.js';

const port = parentPort;
if (!port) throw new Error('index/query-thread must run in a worker thread');
const views = new Map<number, HammingView>();

port.on('message', (m: ThreadRequest) => {
  if (m.type === 'view') {
    views.set(m.key, m.view);
    port.postMessage({ type: 'ack', gen: m.gen } satisfies ThreadReply);
    return;
  }
  const view = views.get(m.key);
  const slots: number[] = [];
  const distances: number[] = [];
  if (view) probeBase(view, m.q, m.threshold, (slot, d) => (slots.push(slot), distances.push(d)));
  port.postMessage({
    type: 'result',
    id: m.id,
    baseCount: view?.baseCount ?? 0,
    numbering: view?.numbering ?? -1,
    slots: Uint32Array.from(slots),
    distances: Uint16Array.from(distances),
  } satisfies ThreadReply);
});
