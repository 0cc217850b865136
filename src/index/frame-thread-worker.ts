/**
 * The thread that owns a vPDQ frame index for a server (see frame-thread.ts): applies adds and
 * removes in the order they were sent and answers queries, parsing and comparing off the thread
 * that serves HTTP.
 */
import { parentPort } from 'node:worker_threads';
import { AllianceError, toAllianceError } from '../errors/catalogue.js';
import { FrameIndex } from './frame-index.js';
import { countFrameLines } from '../signals/vpdq/format.js';
import type { FrameReply, FrameRequest } from './frame-thread.js';

const port = parentPort;
if (!port) throw new Error('index/frame-thread-worker must run in a worker thread');
let index: FrameIndex | undefined;

port.on('message', (m: FrameRequest) => {
  try {
    switch (m.op) {
      case 'init':
        index = m.snapshot ? FrameIndex.fromSnapshot(m.snapshot) : new FrameIndex(m.signalType);
        return;
      case 'add':
        index!.add(m.id, m.value);
        return;
      case 'remove':
        index!.remove(m.id);
        return;
      case 'query': {
        const lines = countFrameLines(m.value);
        if (m.maxFrames > 0 && lines > m.maxFrames) {
          throw new AllianceError(
            'PAYLOAD_TOO_LARGE',
            `a vPDQ lookup may hold at most ${m.maxFrames.toLocaleString('en')} frames; this one has ${lines.toLocaleString('en')} (ALLIANCE_VPDQ_MAX_FRAMES)`,
          );
        }
        port.postMessage({
          op: 'result',
          qid: m.qid,
          matches: index!.query(m.value, m.threshold),
          frames: index!.stats().frames as number,
        } satisfies FrameReply);
        return;
      }
      case 'snapshot':
        port.postMessage({ op: 'snapshot', qid: m.qid, snapshot: index!.toSnapshot() } satisfies FrameReply);
        return;
    }
  } catch (err) {
    if (m.op === 'query' || m.op === 'snapshot') port.postMessage({ op: 'error', qid: m.qid, error: toAllianceError(err).toJSON() } satisfies FrameReply);
    else port.postMessage({ op: 'failed', error: toAllianceError(err).toJSON() } satisfies FrameReply);
  }
});
