/**
 * A query thread: probes the shared base of a HammingIndex (see query-threads.ts). It only reads
 * shared memory; the main thread owns every write and checks liveness again after.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { batchable, probeBatch } from './hamming-batch.js';
import { probeBase, type HammingView } from './hamming-probe.js';
import type { ThreadReply, ThreadRequest } from './query-threads.js';

const port = parentPort;
if (!port) throw new Error('index/query-thread must run in a worker thread');
const views = new Map<number, HammingView>();

/**
 * Lowers this thread's scheduling priority (the batch thread). On Linux a thread is a task of its
 * own, named by /proc/thread-self; elsewhere the thread keeps the process's priority.
 */
function nice(value: number): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, value);
  } catch {
    // not Linux, or not allowed: the same priority as the rest of the process
  }
}

port.on('message', (m: ThreadRequest) => {
  if (m.type === 'nice') return nice(m.value);
  if (m.type === 'view') {
    views.set(m.key, m.view);
    port.postMessage({ type: 'ack', gen: m.gen } satisfies ThreadReply);
    return;
  }
  const view = views.get(m.key);
  const slots: number[] = [];
  const distances: number[] = [];
  const queries: number[] = [];
  if (!view) {
    // not published yet: an empty result naming no base, which the caller answers itself
  } else if (m.type === 'query') probeBase(view, m.q, m.threshold, (slot, d) => (slots.push(slot), distances.push(d)));
  else if (batchable(view, m.n, m.threshold)) probeBatch(view, m.qs, m.n, m.threshold, (q, slot, d) => (queries.push(q), slots.push(slot), distances.push(d)));
  else {
    for (let q = 0; q < m.n; q++)
      probeBase(view, m.qs.subarray(q * 8, q * 8 + 8), m.threshold, (slot, d) => (queries.push(q), slots.push(slot), distances.push(d)));
  }
  port.postMessage({
    type: 'result',
    id: m.id,
    baseCount: view?.baseCount ?? 0,
    numbering: view?.numbering ?? -1,
    slots: Uint32Array.from(slots),
    distances: Uint16Array.from(distances),
    ...(m.type === 'batch' ? { queries: Uint32Array.from(queries) } : {}),
  } satisfies ThreadReply);
});
