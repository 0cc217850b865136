/**
 * Query threads for the match index: worker threads that probe the base of shared-memory
 * HammingIndexes, so lookups use every core while the main thread serves HTTP. The main thread
 * publishes each new base (after a rebuild or growth) and keeps using the previous one until
 * every thread has it; it scans the delta and re-checks liveness itself, so results stay exact.
 */
import { Worker } from 'node:worker_threads';
import type { HammingView } from './hamming-probe.js';

export type ThreadRequest =
  | { type: 'view'; key: number; gen: number; view: HammingView }
  | { type: 'nice'; value: number }
  | { type: 'query'; key: number; id: number; q: Uint32Array; threshold: number }
  | { type: 'batch'; key: number; id: number; qs: Uint32Array; n: number; threshold: number };

/**
 * A result names the base it probed (`baseCount`: the caller scans every slot from there on) and
 * the slot numbering of its arrays (the caller answers itself when a rebuild renumbered since).
 */
export type ThreadReply =
  | { type: 'ack'; gen: number }
  | { type: 'result'; id: number; baseCount: number; numbering: number; slots: Uint32Array; distances: Uint16Array; queries?: Uint32Array };

/** The batch thread's niceness (Linux: 0 is the default, 19 the lowest priority). */
const BATCH_NICE = 19;

export type ThreadResult = { baseCount: number; numbering: number; slots: Uint32Array; distances: Uint16Array };
/** A batch's result: `queries[i]` is the batch position whose match `slots[i]` is. */
export type BatchResult = ThreadResult & { queries: Uint32Array };

interface Thread {
  worker: Worker;
  busy: number;
  /** Whether it probes batches (the batch thread) or single queries. */
  batch: boolean;
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
  private readonly pending = new Map<number, { resolve: (r: BatchResult) => void; reject: (err: Error) => void }>();
  private nextId = 1;
  private nextGen = 1;
  private nextKey = 1;
  /** The last view published of each index (a thread started later gets them). */
  private readonly views = new Map<number, HammingView>();
  /** Why the last thread stopped, if one did. */
  lastError: string | undefined;

  /**
   * `size` threads for single queries and, from the first batch on, one for batches (backfills),
   * which runs at the lowest scheduling priority where the system allows: a single lookup never
   * waits behind a batch in a thread's queue, and when the cores are busy the batch yields to it.
   * With `singles` false only the batch thread runs and single queries are answered where they
   * are asked (a process of `serve --workers N`, N ≥ 2: the other workers use the other cores, and
   * the hop to a thread and back costs more than a probe — measured at 10 M hashes with two
   * workers, 3,150–3,200 → 3,800–4,040 requests/s at 16 connections).
   */
  constructor(
    readonly size: number,
    readonly singles = true,
  ) {
    if (singles) for (let i = 0; i < size; i++) this.spawn(false);
  }

  /** The batch thread, started with the first batch (a node that serves none never runs it). */
  private batchThread(): Thread | undefined {
    if (this.size === 0) return undefined;
    const started = this.threads.find((t) => t.batch);
    if (started) return started.dead ? undefined : started;
    const thread = this.spawn(true);
    // The views published so far, as publish sent them to the others.
    for (const [key, view] of this.views) thread.worker.postMessage({ type: 'view', key, gen: 0, view } satisfies ThreadRequest);
    return thread;
  }

  private spawn(batch: boolean): Thread {
    const worker = new Worker(threadScript());
    const thread: Thread = { worker, busy: 0, batch, dead: false, acks: new Map(), queries: new Set() };
    worker.on('message', (m: ThreadReply) => {
      if (m.type === 'ack') {
        thread.acks.get(m.gen)?.();
        thread.acks.delete(m.gen);
      } else {
        thread.busy--;
        thread.queries.delete(m.id);
        this.pending.get(m.id)?.resolve({ ...m, queries: m.queries ?? new Uint32Array(0) });
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
    if (batch) worker.postMessage({ type: 'nice', value: BATCH_NICE } satisfies ThreadRequest);
    this.threads.push(thread);
    return thread;
  }

  /** A key for one index (several indexes may share the threads). */
  register(): number {
    return this.nextKey++;
  }

  /** Hands a view to every thread; resolves when all have it. */
  publish(key: number, view: HammingView): Promise<void> {
    const gen = this.nextGen++;
    this.views.set(key, view);
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

  /** Probes the published view of `key` on the least busy thread for single queries. */
  query(key: number, q: Uint32Array, threshold: number): Promise<ThreadResult> {
    return this.send(false, (id) => ({ type: 'query', key, id, q, threshold }));
  }

  /** Probes the published view of `key` for `n` queries packed in `qs`, on the batch thread. */
  queryBatch(key: number, qs: Uint32Array, n: number, threshold: number): Promise<BatchResult> {
    return this.send(true, (id) => ({ type: 'batch', key, id, qs, n, threshold }));
  }

  /** Sends a batch to the batch thread, a single query (or a batch when that thread died) to the least busy other thread. */
  private send(batch: boolean, request: (id: number) => ThreadRequest): Promise<BatchResult> {
    const alive = this.threads.filter((t) => !t.dead && !t.batch);
    const thread = (batch && this.batchThread()) || alive.reduce<Thread | undefined>((a, b) => (!a || b.busy < a.busy ? b : a), undefined);
    if (!thread) return Promise.reject(new Error('no query thread is running'));
    const id = this.nextId++;
    thread.busy++;
    thread.queries.add(id);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.worker.postMessage(request(id));
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
