/**
 * An exact, incremental index of 256-bit hashes (PDQ) for Hamming range queries.
 *
 * Layout: every hash lives in a slot (8 packed words, an id, an alive bit). The *base* covers
 * slots [0, baseCount): a rebuild renumbers the live slots in the order of the first chunk's
 * leading `keyBits`, so that chunk's bucket table (CSR offsets) points straight at slot ranges and
 * needs no entries of its own; for each other chunk of the multi-index layout, entries (slot and
 * the chunk's remaining bits as a suffix that filters candidates before their hash is read) are
 * counting-sorted by the chunk's leading `keyBits`. Slots added later form the *delta*, scanned
 * linearly until a rebuild folds them into the base (in the background, chunk by chunk, while
 * queries keep using the old base and arrays). Removal clears the alive bit. So an added hash
 * matches in the very next query and a removed one never again.
 *
 * Memory at 10 M (bench:match): 32 bytes a hash, 4 an id, 1/8 alive, 4 per entry in 10 chunk
 * tables, 2.3 of bucket offsets and 1.5 of bitmaps: 80 bytes a hash (87 before the first chunk's
 * entries, the alive bytes and one bit of key went).
 *
 * Results are exactly those of brute force: by the generalized pigeonhole principle a match within
 * T differs by at most r_c bits on some chunk c when Σ (r_c + 1) > T (chunkRadii), and every such
 * chunk value is probed. When probing would cost more than scanning (high thresholds, small
 * indexes) the query scans.
 */
import { hammingPacked, packHex256 } from '../signals/pdq/hash256.js';
import { AllianceError } from '../errors/catalogue.js';
import { chunkValue, layoutFor, probeCount, type ChunkLayout } from './chunks.js';
import {
  bitSet,
  bucketOffset,
  chunkRadii,
  OFFSET_BLOCK_BITS,
  offsetCount,
  probeBase,
  scanSlots,
  WIDE,
  type ChunkTable,
  type Hit,
  type HammingView,
} from './hamming-probe.js';
import { BATCH_MIN, batchable, probeBatch } from './hamming-batch.js';
import type { BatchResult, QueryThreads, ThreadResult } from './query-threads.js';
import type { Snapshot, TypedArray } from './snapshot.js';

export interface HammingMatch {
  id: number;
  distance: number;
}

export interface HammingIndexStats {
  size: number;
  slots: number;
  baseCount: number;
  deltaCount: number;
  chunks: number[];
  keyBits: number;
  /** Whether the chunks keep bitmaps of the values present (see layoutFor). */
  bitmaps: boolean;
  bytes: number;
  lastRebuildError?: string;
}

export interface HammingIndexOptions {
  /** Slots to allocate up front (bulk loads). */
  capacity?: number;
  /** Fixed chunk layout (default: chosen from the size at each rebuild). */
  layout?: ChunkLayout;
  /** Delta size that triggers a background rebuild (default 8192). */
  deltaLimit?: number;
  /** 'auto' (default) probes or scans, whichever costs less; tests and benchmarks force one. */
  strategy?: 'auto' | 'probe' | 'scan';
  /** Allocate in shared memory, so query threads can probe the base (see useThreads). */
  shared?: boolean;
  /**
   * fromEntries and fromSnapshot: the index takes the caller's arrays (the snapshot's slots) as its
   * own, fromEntries reordering them in place; the caller must not use them afterwards. A bulk
   * build or a restart then holds one copy of the hashes, not two (3.2 GB at 100 M). Ignored, and
   * the arrays copied, when they are not in the memory the index needs (shared or not) or are
   * views into a larger buffer.
   */
  adopt?: boolean;
}

/** Bases smaller than this are probed on the calling thread (a message costs more). */
const THREAD_MIN_BASE = 20_000;

/** Words of a bitset of `n` bits. */
const bitsetWords = (n: number) => Math.max(1, Math.ceil(n / 32));

type ArrayCtor<T> = new (buffer: ArrayBuffer | SharedArrayBuffer) => T;

function allocate<T>(Ctor: ArrayCtor<T> & { BYTES_PER_ELEMENT: number }, length: number, shared: boolean): T {
  const bytes = length * Ctor.BYTES_PER_ELEMENT;
  return new Ctor(shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
}

/** Two-level bucket offsets (ChunkTable.blockBase, rel, wide) of flat ones: a base a block of 2^OFFSET_BLOCK_BITS keys, two bytes a key. */
function twoLevelOffsets(flat: Uint32Array, shared: boolean): Pick<ChunkTable, 'blockBase' | 'rel' | 'wide'> {
  const last = flat.length - 1;
  const blocks = (last >>> OFFSET_BLOCK_BITS) + 1;
  const size = 1 << OFFSET_BLOCK_BITS;
  const blockEnd = (b: number) => Math.min(last, (b + 1) * size - 1);
  let wideBlocks = 0;
  for (let b = 0; b < blocks; b++) if (flat[blockEnd(b)] - flat[b * size] > 0xffff) wideBlocks++;
  const blockBase = allocate(Uint32Array, blocks, shared);
  const rel = allocate(Uint16Array, flat.length, shared);
  const wide = wideBlocks > 0 ? allocate(Uint32Array, wideBlocks * size, shared) : undefined;
  let w = 0;
  for (let b = 0; b < blocks; b++) {
    const base = flat[b * size];
    if (flat[blockEnd(b)] - base > 0xffff) {
      // A block of tens of thousands of near-identical entries (a still shot): absolute offsets.
      blockBase[b] = WIDE + w;
      for (let k = b * size; k <= blockEnd(b); k++) wide![w + k - b * size] = flat[k];
      w += size;
    } else {
      blockBase[b] = base;
      for (let k = b * size; k <= blockEnd(b); k++) rel[k] = flat[k] - base;
    }
  }
  return { blockBase, rel, wide };
}

/** Bytes of a chunk table's bucket offsets. */
const offsetBytes = (t: ChunkTable) => (t.offsets?.byteLength ?? 0) + (t.blockBase?.byteLength ?? 0) + (t.rel?.byteLength ?? 0) + (t.wide?.byteLength ?? 0);

/** Relative costs used to choose between probing and scanning (measured, see bench:match). */
const PROBE_COST = 1;
const BUCKET_COST = 4;
const ENTRY_COST = 0.5;
const CANDIDATE_COST = 3;

/** A base built by HammingIndex.buildSteps, not yet installed. */
interface Built {
  layout: ChunkLayout;
  tables: ChunkTable[];
  /** The new slot arrays: the `live` slots of the base first (in the first chunk's order), room after. */
  hashes: Uint32Array;
  ids: Uint32Array;
  live: number;
  /** The slots read (below `upTo`) and where each live one went. */
  upTo: number;
  newSlot: Uint32Array;
}

export class HammingIndex {
  private hashes: Uint32Array;
  private ids: Uint32Array;
  private alive: Uint32Array;
  /** Bumped when a rebuild renumbers the slots (see HammingView). */
  private numbering = 0;
  private count = 0;
  /** Hashes ever added, and how many of the first of them the base covers (rebuildInBackground). */
  private added = 0;
  private folded = 0;
  private live = 0;
  private layout: ChunkLayout;
  private chunks: ChunkTable[] = [];
  private baseCount = 0;
  private rebuilding: Promise<void> | undefined;
  private lastRebuildError: string | undefined;
  private readonly fixedLayout: ChunkLayout | undefined;
  private readonly deltaLimit: number;
  private readonly strategy: 'auto' | 'probe' | 'scan';
  private readonly shared: boolean;
  private threads: { pool: QueryThreads; key: number; published?: HammingView; publishing: Promise<void> } | undefined;

  constructor(options: HammingIndexOptions = {}) {
    const cap = Math.max(16, options.capacity ?? 1024);
    this.shared = options.shared ?? false;
    this.hashes = allocate(Uint32Array, cap * 8, this.shared);
    this.ids = allocate(Uint32Array, cap, this.shared);
    this.alive = allocate(Uint32Array, bitsetWords(cap), this.shared);
    this.fixedLayout = options.layout;
    this.layout = options.layout ?? layoutFor(0);
    this.deltaLimit = options.deltaLimit ?? 8192;
    this.strategy = options.strategy ?? 'auto';
  }

  /** Number of live hashes. */
  get size(): number {
    return this.live;
  }

  private grow(min: number): void {
    const cap = Math.max(min, Math.ceil(this.ids.length * 1.5));
    const hashes = allocate(Uint32Array, cap * 8, this.shared);
    hashes.set(this.hashes.subarray(0, this.count * 8));
    const ids = allocate(Uint32Array, cap, this.shared);
    ids.set(this.ids.subarray(0, this.count));
    const alive = allocate(Uint32Array, bitsetWords(cap), this.shared);
    alive.set(this.alive);
    this.hashes = hashes;
    this.ids = ids;
    this.alive = alive;
    this.publish();
  }

  /**
   * Lets `pool`'s threads probe this index's base (the index must be shared). Queries through
   * `queryAsync` then run there; results are the same as `query`.
   */
  useThreads(pool: QueryThreads): void {
    if (!this.shared) throw new Error('query threads need an index allocated with { shared: true }');
    this.threads = { pool, key: pool.register(), publishing: Promise.resolve() };
    this.publish();
  }

  /** Resolves when the query threads have the current base. */
  async published(): Promise<void> {
    await this.threads?.publishing;
  }

  /** Hands the current base to the threads; queries keep the previous one until they all have it. */
  private publish(): void {
    const t = this.threads;
    if (!t) return;
    const view = this.view();
    t.publishing = t.pool.publish(t.key, view).then(() => {
      if (!t.published || view.baseCount >= t.published.baseCount) t.published = view;
    });
  }

  /** `query`, probing the base on a query thread when there are threads and it pays. */
  async queryAsync(hash: string | Uint32Array, threshold: number): Promise<HammingMatch[]> {
    const t = this.threads;
    const published = t?.published;
    if (!t || !t.pool.singles || !published || published.baseCount < THREAD_MIN_BASE || !this.probes(threshold)) return this.query(hash, threshold);
    const q = typeof hash === 'string' ? packHex256(hash) : hash;
    let base: ThreadResult;
    try {
      base = await t.pool.query(t.key, q, threshold);
    } catch {
      return this.query(q, threshold); // a dead thread: answer here
    }
    // A rebuild renumbered the slots since the thread's base: answer here (rare, and exact).
    if (base.numbering !== this.numbering) return this.query(q, threshold);
    const out: HammingMatch[] = [];
    // Slots keep their numbers across growth; liveness is re-checked on the current arrays. The
    // thread may already hold a newer base than `published`: scan on from the base it probed.
    for (let i = 0; i < base.slots.length; i++) {
      const slot = base.slots[i];
      if (bitSet(this.alive, slot)) out.push({ id: this.ids[slot], distance: base.distances[i] });
    }
    scanSlots(this.view(), q, threshold, base.baseCount, this.count, (slot, distance) => out.push({ id: this.ids[slot], distance }));
    return out;
  }

  /**
   * `query` for each of `n` hashes packed in `qs` (8 words each), answered together: a batch of
   * 32 or more reads the chunk tables in order instead of once a query (hamming-batch.ts), so a
   * backfill costs a fraction of as many single lookups. The same answers as `query`, each.
   */
  queryBatch(qs: Uint32Array, n: number, threshold: number): HammingMatch[][] {
    const view = this.view();
    if (!this.probes(threshold) || !batchable(view, n, threshold)) {
      return Array.from({ length: n }, (_, i) => this.query(qs.subarray(i * 8, i * 8 + 8), threshold));
    }
    const out: HammingMatch[][] = Array.from({ length: n }, () => []);
    probeBatch(view, qs, n, threshold, (i, slot, distance) => out[i].push({ id: this.ids[slot], distance }));
    this.scanDelta(qs, n, threshold, this.baseCount, out);
    return out;
  }

  /** `queryBatch`, probing the base on a query thread when there are threads and it pays. */
  async queryBatchAsync(qs: Uint32Array, n: number, threshold: number): Promise<HammingMatch[][]> {
    const t = this.threads;
    const published = t?.published;
    if (!t || !published || published.baseCount < THREAD_MIN_BASE || !this.probes(threshold)) return this.queryBatch(qs, n, threshold);
    // A few queries go to the threads one by one (in parallel); a batch goes whole to the batch
    // thread, which probes it together where that pays (batchable) and query by query elsewhere.
    if (n < BATCH_MIN) return Promise.all(Array.from({ length: n }, (_, i) => this.queryAsync(qs.subarray(i * 8, i * 8 + 8), threshold)));
    let base: BatchResult;
    try {
      base = await t.pool.queryBatch(t.key, qs, n, threshold);
    } catch {
      return this.queryBatch(qs, n, threshold); // a dead thread: answer here
    }
    if (base.numbering !== this.numbering) return this.queryBatch(qs, n, threshold);
    const out: HammingMatch[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < base.slots.length; i++) {
      const slot = base.slots[i];
      if (bitSet(this.alive, slot)) out[base.queries[i]].push({ id: this.ids[slot], distance: base.distances[i] });
    }
    this.scanDelta(qs, n, threshold, base.baseCount, out);
    return out;
  }

  /** Adds to each query's answer the live slots from `from` on (those no base covers) within `threshold`. */
  private scanDelta(qs: Uint32Array, n: number, threshold: number, from: number, out: HammingMatch[][]): void {
    if (from >= this.count) return;
    const view = this.view();
    for (let i = 0; i < n; i++) {
      scanSlots(view, qs.subarray(i * 8, i * 8 + 8), threshold, from, this.count, (slot, distance) => out[i].push({ id: this.ids[slot], distance }));
    }
  }

  /**
   * Adds a hash under `id` (an unsigned 32-bit integer). Matchable by the next query.
   * @example index.add(42, 'd8f8f0ce…9b22')
   */
  add(id: number, hash: string | Uint32Array, at = 0): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`index ids are unsigned 32-bit integers, got ${id}`);
    if (this.count === this.ids.length) this.grow(this.count + 1);
    const slot = this.count++;
    this.added++;
    if (typeof hash === 'string') packHex256(hash, this.hashes, slot * 8);
    else this.hashes.set(hash.subarray(at, at + 8), slot * 8);
    this.ids[slot] = id;
    this.alive[slot >>> 5] |= 1 << (slot & 31);
    this.live++;
    if (this.count - this.baseCount > this.deltaLimit && !this.rebuilding) {
      // A failed rebuild leaves the index correct (the delta is scanned); it is reported in stats.
      this.rebuildInBackground().catch((err: unknown) => (this.lastRebuildError = String(err)));
    }
  }

  /** Removes the entry with this id and hash; returns whether one was found. */
  remove(id: number, hash: string | Uint32Array): boolean {
    const q = typeof hash === 'string' ? packHex256(hash) : hash;
    let removed = false;
    this.visit(q, 0, (slot) => {
      if (this.ids[slot] === id && bitSet(this.alive, slot)) {
        this.alive[slot >>> 5] &= ~(1 << (slot & 31));
        this.live--;
        removed = true;
      }
    });
    return removed;
  }

  /**
   * Every live entry within Hamming distance ≤ `threshold` of `hash`, each once, in no particular order.
   * @example index.query('d8f8…9b22', 31) // [{ id: 42, distance: 3 }]
   */
  query(hash: string | Uint32Array, threshold: number): HammingMatch[] {
    const q = typeof hash === 'string' ? packHex256(hash) : hash;
    const out: HammingMatch[] = [];
    this.visit(q, threshold, (slot, distance) => out.push({ id: this.ids[slot], distance }));
    return out;
  }

  /** The arrays a prober reads (shared memory when the index is shared with query threads). */
  view(): HammingView {
    return { hashes: this.hashes, ids: this.ids, alive: this.alive, chunks: this.chunks, baseCount: this.baseCount, numbering: this.numbering };
  }

  /** Whether a query at `threshold` probes the base (else it scans every slot). */
  probes(threshold: number): boolean {
    if (this.baseCount === 0) return false;
    return this.strategy === 'probe' || (this.strategy === 'auto' && !this.probeIsDearer(threshold));
  }

  /** Calls `hit(slot, distance)` once for every live slot within `threshold` of `q`. */
  private visit(q: Uint32Array, threshold: number, hit: Hit): void {
    const view = this.view();
    if (!this.probes(threshold)) {
      scanSlots(view, q, threshold, 0, this.count, hit);
      return;
    }
    probeBase(view, q, threshold, hit);
    scanSlots(view, q, threshold, this.baseCount, this.count, hit);
  }

  /** Whether probing the base would cost more than scanning it. */
  private probeIsDearer(threshold: number): boolean {
    const radii = chunkRadii(
      this.chunks.map((t) => t.bits),
      threshold,
    );
    let cost = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const t = this.chunks[c];
      if (radii[c] < 0) continue;
      const probes = probeCount(t.bits, radii[c]);
      // Buckets read: present values (bitmap) or every key within the radius.
      const buckets = t.present ? probes * Math.min(1, this.baseCount / 2 ** t.bits) : probeCount(t.bits - t.suffixBits, radii[c]);
      const entries = (buckets * this.baseCount) / 2 ** (t.bits - t.suffixBits);
      const candidates = (probes * this.baseCount) / 2 ** t.bits;
      cost += (t.present ? PROBE_COST * probes : 0) + BUCKET_COST * buckets + ENTRY_COST * entries + CANDIDATE_COST * candidates;
    }
    return cost > this.baseCount;
  }

  /**
   * A new base over the live slots below `upTo` of `src`: new slot arrays in the order of the
   * first chunk's keys, then one chunk table per step (so that it can yield). Reads `src` only.
   */
  private *buildSteps(
    layout: ChunkLayout,
    src: Pick<HammingView, 'hashes' | 'ids' | 'alive'>,
    upTo: number,
    headroom: number,
    inPlace = false,
  ): Generator<void, Built> {
    const alive = src.alive;
    let live = 0;
    for (let s = 0; s < upTo; s++) live += (alive[s >>> 5] >>> (s & 31)) & 1;
    if (inPlace && live !== upTo) throw new Error('an in-place build needs every slot alive');
    const cap = Math.max(16, live + headroom);
    // In place, the caller's arrays are reordered and become the base's: no second copy of the hashes.
    const hashes = inPlace ? src.hashes : allocate(Uint32Array, cap * 8, this.shared);
    const ids = inPlace ? src.ids : allocate(Uint32Array, cap, this.shared);
    let newSlot = new Uint32Array(upTo); // scratch, never shared
    const tables: ChunkTable[] = [];
    for (let c = 0; c < layout.bits.length; c++) {
      const start = layout.starts[c];
      const bits = layout.bits[c];
      const suffixBits = bits - layout.keyBits;
      const buckets = 1 << layout.keyBits;
      const offsets = new Uint32Array(buckets + 1); // scratch: the table keeps them two-level
      const present = layout.bitmaps === false ? undefined : allocate(Uint32Array, Math.max(1, 2 ** bits / 32), this.shared);
      const table: ChunkTable = { start, bits, suffixBits, present };
      // Chunk values are computed twice (count, then place) rather than kept: at 100 M hashes a
      // scratch array of them would cost 400 MB at the build's peak.
      const from = c === 0 ? src.hashes : hashes;
      const n = c === 0 ? upTo : live;
      for (let s = 0; s < n; s++) {
        if (c === 0 && ((alive[s >>> 5] >>> (s & 31)) & 1) === 0) continue;
        offsets[(chunkValue(from, s * 8, start, bits) >>> suffixBits) + 1]++;
      }
      for (let k = 0; k < buckets; k++) offsets[k + 1] += offsets[k];
      const cursor = offsets.slice(0, buckets);
      if (c === 0) {
        // The first chunk orders the new slots: its entries are the slots themselves.
        for (let s = 0; s < upTo; s++) {
          if (((alive[s >>> 5] >>> (s & 31)) & 1) === 0) continue;
          const v = chunkValue(from, s * 8, start, bits);
          const i = (newSlot[s] = cursor[v >>> suffixBits]++);
          if (present) present[v >>> 5] |= 1 << (v & 31);
          if (inPlace) continue;
          for (let w = 0; w < 8; w++) hashes[i * 8 + w] = from[s * 8 + w];
          ids[i] = src.ids[s];
        }
        if (inPlace) {
          permuteInPlace(hashes, ids, newSlot, upTo);
          newSlot = new Uint32Array(0); // nothing to take over (install): freed before the tables grow (400 MB at 100 M)
        }
      } else {
        const suffixMask = (1 << suffixBits) - 1;
        // Slot and suffix share one word while the slot fits the bits the suffix leaves (up to
        // 2^28 slots with 20-bit keys on 24-bit chunks).
        if (suffixBits <= 8 && live <= 2 ** (32 - suffixBits)) {
          const packed = (table.packed = allocate(Uint32Array, live, this.shared));
          table.packShift = suffixBits;
          for (let s = 0; s < live; s++) {
            const v = chunkValue(hashes, s * 8, start, bits);
            packed[cursor[v >>> suffixBits]++] = (s * 2 ** suffixBits + (v & suffixMask)) >>> 0;
            if (present) present[v >>> 5] |= 1 << (v & 31);
          }
        } else {
          const slots = (table.slots = allocate(Uint32Array, live, this.shared));
          const suffixes = (table.suffixes = suffixBits <= 8 ? allocate(Uint8Array, live, this.shared) : allocate(Uint16Array, live, this.shared));
          for (let s = 0; s < live; s++) {
            const v = chunkValue(hashes, s * 8, start, bits);
            const i = cursor[v >>> suffixBits]++;
            slots[i] = s;
            suffixes[i] = v & suffixMask;
            if (present) present[v >>> 5] |= 1 << (v & 31);
          }
        }
      }
      Object.assign(table, twoLevelOffsets(offsets, this.shared));
      tables.push(table);
      yield;
    }
    return { layout, tables, hashes, ids, live, upTo, newSlot };
  }

  /**
   * Switches to a built base: slots added meanwhile (from `upTo` on) follow the base in the new
   * arrays, and liveness is taken from the current arrays, so removals made meanwhile hold.
   */
  private install(b: Built, added: number): void {
    const delta = this.count - b.upTo;
    let { hashes, ids } = b;
    const cap = Math.max(ids.length, b.live + delta);
    if (cap > ids.length) {
      const h = allocate(Uint32Array, cap * 8, this.shared);
      h.set(hashes.subarray(0, b.live * 8));
      const i = allocate(Uint32Array, cap, this.shared);
      i.set(ids.subarray(0, b.live));
      hashes = h;
      ids = i;
    }
    const alive = allocate(Uint32Array, bitsetWords(cap), this.shared);
    const old = this.alive;
    for (let s = 0; s < b.upTo; s++) {
      if (((old[s >>> 5] >>> (s & 31)) & 1) === 0) continue;
      const i = b.newSlot[s];
      alive[i >>> 5] |= 1 << (i & 31);
    }
    hashes.set(this.hashes.subarray(b.upTo * 8, this.count * 8), b.live * 8);
    ids.set(this.ids.subarray(b.upTo, this.count), b.live);
    for (let s = b.upTo; s < this.count; s++) {
      if (((old[s >>> 5] >>> (s & 31)) & 1) === 0) continue;
      const i = b.live + s - b.upTo;
      alive[i >>> 5] |= 1 << (i & 31);
    }
    this.hashes = hashes;
    this.ids = ids;
    this.alive = alive;
    this.count = b.live + delta;
    this.numbering++;
    this.folded = added;
    this.setBase(b.layout, b.live, b.tables);
  }

  private setBase(layout: ChunkLayout, baseCount: number, tables: ChunkTable[]): void {
    this.layout = layout;
    this.chunks = tables;
    this.baseCount = baseCount;
    this.publish();
  }

  /** Folds every slot into the base now (bulk loads call this once at the end). */
  rebuild(): void {
    this.install(this.runSteps(this.view(), this.count, this.ids.length - this.count), this.added);
  }

  private runSteps(src: Pick<HammingView, 'hashes' | 'ids' | 'alive'>, upTo: number, headroom: number, inPlace = false): Built {
    const steps = this.buildSteps(this.fixedLayout ?? layoutFor(this.live), src, upTo, headroom, inPlace);
    let r = steps.next();
    while (!r.done) r = steps.next();
    return r.value;
  }

  /**
   * Folds every slot added so far into the base, chunk by chunk, yielding to the event loop
   * between chunks; queries keep using the old base meanwhile. Resolves once the base covers every
   * slot that existed when it was called (waiting for, or following, a rebuild in flight).
   */
  async rebuildInBackground(): Promise<void> {
    const target = this.added;
    while (this.folded < target) await (this.rebuilding ??= this.rebuildOnce());
  }

  private async rebuildOnce(): Promise<void> {
    try {
      const upTo = this.count;
      const numbering = this.numbering;
      const added = this.added;
      // Reads the current arrays: slots below upTo never change but for their alive bits, which
      // install takes again from the arrays current then.
      const steps = this.buildSteps(this.fixedLayout ?? layoutFor(this.live), this.view(), upTo, this.ids.length - this.count);
      let r = steps.next();
      while (!r.done) {
        await new Promise((resolve) => setImmediate(resolve));
        r = steps.next();
      }
      // A synchronous rebuild may have renumbered the slots meanwhile: this build is then stale.
      if (this.numbering === numbering) this.install(r.value, added);
    } finally {
      this.rebuilding = undefined;
    }
  }

  stats(): HammingIndexStats {
    let bytes = this.hashes.byteLength + this.ids.byteLength + this.alive.byteLength;
    for (const t of this.chunks)
      bytes += offsetBytes(t) + (t.packed?.byteLength ?? 0) + (t.slots?.byteLength ?? 0) + (t.suffixes?.byteLength ?? 0) + (t.present?.byteLength ?? 0);
    return {
      size: this.live,
      slots: this.count,
      baseCount: this.baseCount,
      deltaCount: this.count - this.baseCount,
      chunks: [...this.layout.bits],
      keyBits: this.layout.keyBits,
      bitmaps: this.chunks.some((t) => t.present),
      bytes,
      ...(this.lastRebuildError ? { lastRebuildError: this.lastRebuildError } : {}),
    };
  }

  /** Everything needed to restart without rebuilding: slots and chunk tables as they are. */
  toSnapshot(signalType: string): Snapshot {
    const sections: Record<string, TypedArray> = {
      hashes: this.hashes.subarray(0, this.count * 8),
      ids: this.ids.subarray(0, this.count),
      alive: this.alive.subarray(0, bitsetWords(this.count)),
    };
    this.chunks.forEach((t, c) => {
      if (t.offsets) sections[`offsets${c}`] = t.offsets;
      if (t.blockBase) sections[`blockBase${c}`] = t.blockBase;
      if (t.rel) sections[`rel${c}`] = t.rel;
      if (t.wide) sections[`wide${c}`] = t.wide;
      if (t.packed) sections[`packed${c}`] = t.packed;
      if (t.slots) sections[`slots${c}`] = t.slots;
      if (t.suffixes) sections[`suffixes${c}`] = t.suffixes;
      if (t.present) sections[`present${c}`] = t.present;
    });
    const chunks = this.chunks.map((t) => ({ start: t.start, bits: t.bits, suffixBits: t.suffixBits, ...(t.packed ? { packShift: t.packShift ?? 8 } : {}) }));
    return {
      signalType,
      kind: 'hamming256',
      meta: { layout: this.layout, chunks, baseCount: this.baseCount, count: this.count, live: this.live, aliveBits: true },
      sections,
    };
  }

  /** The index a snapshot holds, ready to query (no rebuild). */
  static fromSnapshot(snap: Snapshot, options: HammingIndexOptions = {}): HammingIndex {
    const meta = snap.meta as {
      layout: ChunkLayout;
      chunks: Array<{ start: number; bits: number; suffixBits: number; packShift?: number }>;
      baseCount: number;
      count: number;
      live: number;
      /** Snapshots written before issue 19's memory work keep one alive byte a slot. */
      aliveBits?: boolean;
    };
    const { hashes, ids, alive } = snap.sections as { hashes: Uint32Array; ids: Uint32Array; alive: Uint8Array | Uint32Array };
    const aliveOk = meta.aliveBits ? alive instanceof Uint32Array && alive.length === bitsetWords(meta.count) : alive.length === meta.count;
    if (snap.kind !== 'hamming256' || ids.length !== meta.count || hashes.length !== meta.count * 8 || !aliveOk) {
      throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'snapshot sections do not match its header');
    }
    const index = new HammingIndex({ ...options, capacity: 16, layout: options.layout });
    const copy = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T): T => {
      const c = allocate(a.constructor as ArrayCtor<T> & { BYTES_PER_ELEMENT: number }, a.length, index.shared);
      c.set(a);
      return c;
    };
    const inPlace = (a: Uint8Array | Uint16Array | Uint32Array) => a.buffer instanceof SharedArrayBuffer === index.shared;
    // Chunk tables never change once built: used where they are when in the memory the index needs.
    const place = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T): T => (inPlace(a) ? a : copy(a));
    // Slots change (adds, removals): taken over only when adopted whole (a snapshot just read, with
    // { sharedKinds } for a shared index), so a restart holds one copy of the hashes, not two.
    const own = <T extends Uint8Array | Uint16Array | Uint32Array>(a: T): T =>
      options.adopt && inPlace(a) && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength ? a : copy(a);
    index.hashes = own(hashes);
    index.ids = own(ids);
    if (meta.aliveBits) index.alive = own(alive as Uint32Array);
    else {
      index.alive = allocate(Uint32Array, bitsetWords(meta.count), index.shared);
      for (let s = 0; s < meta.count; s++) if (alive[s]) index.alive[s >>> 5] |= 1 << (s & 31);
    }
    index.count = meta.count;
    index.live = index.added = index.folded = meta.live;
    const section = <T extends Uint8Array | Uint16Array | Uint32Array>(name: string): T | undefined => {
      const a = snap.sections[name] as T | undefined;
      return a && place(a);
    };
    const tables: ChunkTable[] = meta.chunks.map((c, i) => ({
      ...c,
      offsets: section<Uint32Array>(`offsets${i}`),
      blockBase: section<Uint32Array>(`blockBase${i}`),
      rel: section<Uint16Array>(`rel${i}`),
      wide: section<Uint32Array>(`wide${i}`),
      packed: section<Uint32Array>(`packed${i}`),
      slots: section<Uint32Array>(`slots${i}`),
      suffixes: section<Uint8Array | Uint16Array>(`suffixes${i}`),
      present: section<Uint32Array>(`present${i}`),
    }));
    tables.forEach((t, c) => {
      // The first chunk of a base ordered by it has no entries: they are the base's slots.
      const implicit = c === 0 && !t.packed && !t.slots;
      const entries = implicit ? meta.baseCount : (t.packed?.length ?? t.slots?.length);
      const separate = t.slots && t.suffixes && t.slots.length === t.suffixes.length;
      if (
        !offsetsOk(t) ||
        (t.present && t.present.length !== Math.max(1, 2 ** t.bits / 32)) ||
        (!t.present && meta.layout.bitmaps !== false) ||
        !(implicit || t.packed || separate) ||
        (t.packed && !((t.packShift ?? 8) >= t.suffixBits && (t.packShift ?? 8) <= 8)) ||
        bucketOffset(t, offsetCount(t) - 1) !== entries ||
        meta.baseCount > meta.count
      ) {
        throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'snapshot chunk tables are inconsistent');
      }
    });
    index.setBase(meta.layout, meta.baseCount, tables);
    return index;
  }

  /** Live entries as packed hashes and ids, in slot order. */
  entries(): { hashes: Uint32Array; ids: Uint32Array } {
    const hashes = new Uint32Array(this.live * 8);
    const ids = new Uint32Array(this.live);
    let n = 0;
    for (let s = 0; s < this.count; s++) {
      if (!bitSet(this.alive, s)) continue;
      hashes.set(this.hashes.subarray(s * 8, s * 8 + 8), n * 8);
      ids[n++] = this.ids[s];
    }
    return { hashes, ids };
  }

  /** An index over packed hashes and ids, built in one go. */
  static fromEntries(hashes: Uint32Array, ids: Uint32Array, options: HammingIndexOptions = {}): HammingIndex {
    const n = ids.length;
    const index = new HammingIndex({ ...options, capacity: 16 });
    index.live = n;
    const all = new Uint32Array(bitsetWords(n)).fill(0xffffffff);
    const inShared = (a: Uint32Array) => a.buffer instanceof SharedArrayBuffer;
    const whole = (a: Uint32Array) => a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && inShared(a) === index.shared;
    const adopt = options.adopt === true && hashes.length === n * 8 && whole(hashes) && whole(ids);
    // Built straight from the caller's arrays: no intermediate copy of the hashes (none at all when adopted).
    const b = index.runSteps({ hashes, ids, alive: all }, n, adopt ? 0 : Math.max(0, (options.capacity ?? 0) - n), adopt);
    index.hashes = b.hashes;
    index.ids = b.ids;
    index.alive = allocate(Uint32Array, bitsetWords(b.ids.length), index.shared);
    index.alive.fill(0xffffffff, 0, n >>> 5);
    for (let s = n & ~31; s < n; s++) index.alive[s >>> 5] |= 1 << (s & 31);
    index.count = index.added = index.folded = n;
    index.numbering++;
    index.setBase(b.layout, n, b.tables);
    return index;
  }
}

/**
 * Whether a snapshot's bucket offsets have their expected shape: flat (written before issue 19's
 * speed work) or two-level, one offset a key of the chunk plus the end, every wide block in `wide`.
 */
function offsetsOk(t: ChunkTable): boolean {
  const keys = 2 ** (t.bits - t.suffixBits);
  if (t.offsets) return !t.blockBase && !t.rel && t.offsets.length === keys + 1;
  const { blockBase, rel, wide } = t;
  if (!blockBase || !rel || rel.length !== keys + 1 || blockBase.length !== (keys >>> OFFSET_BLOCK_BITS) + 1) return false;
  const size = 1 << OFFSET_BLOCK_BITS;
  for (const b of blockBase) if (b >= WIDE && (!wide || (b - WIDE) % size !== 0 || b - WIDE + size > wide.length)) return false;
  return true;
}

/**
 * Moves slot s of `hashes` (8 words) and `ids` to slot `to[s]` for every s < n, in place (`to` is a
 * permutation): each cycle of the permutation is followed once, carrying one slot.
 */
function permuteInPlace(hashes: Uint32Array, ids: Uint32Array, to: Uint32Array, n: number): void {
  const done = new Uint32Array(bitsetWords(n));
  const carry = new Uint32Array(8);
  for (let s = 0; s < n; s++) {
    if ((done[s >>> 5] >>> (s & 31)) & 1 || to[s] === s) continue;
    for (let w = 0; w < 8; w++) carry[w] = hashes[s * 8 + w];
    let carryId = ids[s];
    let j = to[s];
    while (j !== s) {
      const p = j * 8;
      for (let w = 0; w < 8; w++) {
        const x = hashes[p + w];
        hashes[p + w] = carry[w];
        carry[w] = x;
      }
      const id = ids[j];
      ids[j] = carryId;
      carryId = id;
      done[j >>> 5] |= 1 << (j & 31);
      j = to[j];
    }
    for (let w = 0; w < 8; w++) hashes[s * 8 + w] = carry[w];
    ids[s] = carryId;
    done[s >>> 5] |= 1 << (s & 31);
  }
}

/** Brute-force reference: every position of `haystack` within `threshold` of `q`. For tests and benchmarks. */
export function bruteForce(haystack: Uint32Array, q: Uint32Array, threshold: number): HammingMatch[] {
  const out: HammingMatch[] = [];
  for (let i = 0; i < haystack.length / 8; i++) {
    const d = hammingPacked(haystack, q, i * 8, 0);
    if (d <= threshold) out.push({ id: i, distance: d });
  }
  return out;
}
