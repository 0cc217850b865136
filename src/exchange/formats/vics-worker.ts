/**
 * Reads a VICS file on a worker thread (the scan, JSON parsing and checks of every Media), so the
 * importing thread only writes: batches go back as they are ready, at most a few ahead of the
 * writer (memory stays bounded), each error with its line and field.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { fileChunks } from './csv.js';
import { JsonStreamError } from './json-items.js';
import { VicsError } from './vics.js';
import { readVics, type VicsReadOptions } from './vics-stream.js';
import type { UpsertEntry } from '../page.js';

export interface VicsWorkerInput {
  path: string;
  member: string;
  categories?: Array<[number, string]>;
  model?: VicsReadOptions['model'];
  importedAt: string;
}

export type VicsWorkerItem = UpsertEntry | { error: string };
export type VicsWorkerMessage = { type: 'batch'; items: VicsWorkerItem[] } | { type: 'done' } | { type: 'fatal'; message: string; syntax: boolean };

const BATCH = 2000;
const input = workerData as VicsWorkerInput;
let credit = 4;
let wake: (() => void) | undefined;
parentPort!.on('message', () => {
  credit++;
  wake?.();
});

async function send(items: VicsWorkerItem[]): Promise<void> {
  while (credit === 0) await new Promise<void>((r) => (wake = r));
  wake = undefined;
  credit--;
  parentPort!.postMessage({ type: 'batch', items } satisfies VicsWorkerMessage);
}

try {
  let batch: VicsWorkerItem[] = [];
  const opts: VicsReadOptions = {
    member: input.member,
    categories: input.categories ? new Map(input.categories) : undefined,
    model: input.model,
    importedAt: input.importedAt,
  };
  for await (const e of readVics(fileChunks(input.path), opts)) {
    batch.push(e instanceof VicsError ? { error: e.message } : e);
    if (batch.length >= BATCH) {
      await send(batch);
      batch = [];
    }
  }
  if (batch.length) await send(batch);
  parentPort!.postMessage({ type: 'done' } satisfies VicsWorkerMessage);
} catch (err) {
  parentPort!.postMessage({ type: 'fatal', message: (err as Error).message, syntax: err instanceof JsonStreamError } satisfies VicsWorkerMessage);
}
