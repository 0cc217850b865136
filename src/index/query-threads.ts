/**
 * Query threads for the match index: worker threads that probe the base of shared-memory
 * HammingIndexes, so lookups use every core while the main thread serves HTTP. The main thread
 * publishes each new base (after a rebuild or growth) and keeps using the previous one until
 * every thread has it; it scans the delta and re-checks liveness itself, so results stay exact.
 */
import { Worker } from 'node:worker_threads';
import type { HammingView } from './hamming-probe.js';

export type ThreadRequest =
  { type: 'view'; key: number; gen: number; view: HammingView } | { type: 'query'; key: number; id: number; q: Uint32Array; threshold: number };

/**
 * A result names the base it probed (`baseCount`: the caller scans every slot from there on) and
 * the slot numbering of its arrays (the caller answers itself when a rebuild renumbered since).
 */
export type ThreadReply =
  { type: 'ack'; gen: number } | { type: 'result'; id: number; baseCount: number; numbering: number; slots: Uint32Array; distances: Uint16Array };

export type ThreadResult = { baseCount: number; numbering: number; slots: Uint32Array; distances: Uint16Array };

interface Thread {
  worker: Worker;
  busy: number;
  dead: boolean;
  acks: Map<number, () => void>;
  queries: Set<number>;
}

function threadScript(): URL {
  // From TypeScript sources (tests), run the compiled script: workers cannot load .ts on Node 20.
  const self = import.meta.url;
  return self.endsWith('.ts') ? new URL('../../dist/index/query-thread.js', self) : new URL('./query-thread.js', self);
}

export class QueryThreads {
  private readonly threads: Thread[] = [];
  private readonly pending = new Map<number, { resolve: (r: ThreadResult) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private nextGen = 1;
  private nextKey = 1;
  /** Why the last thread stopped, if one did. */
  lastError: string | undefined;

  constructor(readonly size: number) {
    const url = threadScript();
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url);
      const thread: Thread = { worker, busy: 0, dead: false, acks: new Map(), queries: new Set() };
      worker.on('message', (m: ThreadReply) => {
        if (m.type === 'ack') {
          thread.acks.get(m.gen)?.();
          thread.acks.delete(m.gen);
        } else {
          thread.busy--;
          thread.queries.delete(m.id);
          this.pending.get(m.id)?.resolve(m);
          this.pending.delete(m.id);
        }
      });
      // A thread that dies fails its queries (callers fall back to the main thread) and takes no more.
      const die = (why: string) => {
        if (!thread.dead) this.lastError = why;
        thread.dead = true;
        for (const id of thread.queries) this.pending.get(id)?.reject(new Error(`query thread died: ${why}`));
        thread.queries.clear();
        for (const ack of thread.acks.values()) ack();
        thread.acks.clear();
      };
      worker.on('error', (err) => die(err.message));
      worker.on('exit', (code) => die(`exit ${code}`));
      worker.unref(); // never keeps a process alive
      this.threads.push(thread);
    }
  }

  /** A key for one index (several indexes may share the threads). */
  register(): number {
    return this.nextKey++;
  }

  /** Hands a view to every thread; resolves when all have it. */
  publish(key: number, view: HammingView): Promise<void> {
    const gen = this.nextGen++;
    return Promise.all(
      this.threads
        .filter((t) => !t.dead)
        .map(
          (t) =>
            new Promise<void>((resolve) => {
              t.acks.set(gen, resolve);
              t.worker.postMessage({ type: 'view', key, gen, view } satisfies ThreadRequest);
            }),
        ),
    ).then(() => undefined);
  }

  /** Probes the published view of `key` on the least busy thread. */
  query(key: number, q: Uint32Array, threshold: number): Promise<ThreadResult> {
    const alive = this.threads.filter((t) => !t.dead);
    if (alive.length === 0) return Promise.reject(new Error('no query thread is running'));
    const thread = alive.reduce((a, b) => (b.busy < a.busy ? b : a));
    const id = this.nextId++;
    thread.busy++;
    thread.queries.add(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ type: 'query', key, id, q, threshold } satisfies ThreadRequest);
    });
  }

  /** Threads still running. */
  get running(): number {
    return this.threads.filter((t) => !t.dead).length;
  }

  async close(): Promise<void> {
    for (const t of this.threads) t.dead = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
