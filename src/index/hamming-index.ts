/**
 * An exact, incremental index of 256-bit hashes (PDQ) for Hamming range queries.
 *
 * Layout: every hash lives in a slot (8 packed words, an id, an alive flag). The *base* covers
 * slots [0, baseCount): for each chunk of the multi-index layout, entries are counting-sorted by
 * the chunk's leading `keyBits` (a CSR bucket table) with the chunk's remaining bits kept beside
 * each entry as a suffix that filters candidates before their hash is read. Slots added later
 * form the *delta*, scanned linearly until a rebuild folds them into the base (in the background,
 * chunk by chunk, while queries keep using the old base). Removal clears the alive flag. So an
 * added hash matches in the very next query and a removed one never again.
 *
 * Results are exactly those of brute force: by the pigeonhole principle a match within T differs
 * by at most floor(T / m) bits on some chunk, and every such chunk value is probed. When probing
 * would cost more than scanning (high thresholds, small indexes) the query scans.
 */
import { hammingPacked, packHex256, popcount32 } from '../signals/pdq/hash256.js';
import { AllianceError } from '../errors/catalogue.js';
import { chunkValue, layoutFor, probeCount, probeSet, type ChunkLayout } from './chunks.js';
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
}

interface ChunkTable {
  start: number;
  bits: number;
  suffixBits: number;
  /** offsets[key] … offsets[key + 1]: the entries whose chunk starts with `key`. */
  offsets: Uint32Array;
  slots: Uint32Array;
  suffixes: Uint8Array | Uint16Array;
  /** One bit per chunk value: set when some entry has exactly that value (cache-resident filter). */
  present: Uint32Array;
}

/** Relative costs used to choose between probing and scanning (measured, see bench:match). */
const PROBE_COST = 1;
const BUCKET_COST = 4;
const ENTRY_COST = 0.5;
const CANDIDATE_COST = 3;

export class HammingIndex {
  private hashes: Uint32Array;
  private ids: Uint32Array;
  private alive: Uint8Array;
  private count = 0;
  private live = 0;
  private layout: ChunkLayout;
  private chunks: ChunkTable[] = [];
  private baseCount = 0;
  private rebuilding: Promise<void> | undefined;
  private lastRebuildError: string | undefined;
  private readonly fixedLayout: ChunkLayout | undefined;
  private readonly deltaLimit: number;
  private readonly strategy: 'auto' | 'probe' | 'scan';

  constructor(options: HammingIndexOptions = {}) {
    const cap = Math.max(16, options.capacity ?? 1024);
    this.hashes = new Uint32Array(cap * 8);
    this.ids = new Uint32Array(cap);
    this.alive = new Uint8Array(cap);
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
    const hashes = new Uint32Array(cap * 8);
    hashes.set(this.hashes.subarray(0, this.count * 8));
    const ids = new Uint32Array(cap);
    ids.set(this.ids.subarray(0, this.count));
    const alive = new Uint8Array(cap);
    alive.set(this.alive.subarray(0, this.count));
    this.hashes = hashes;
    this.ids = ids;
    this.alive = alive;
  }

  /**
   * Adds a hash under `id` (an unsigned 32-bit integer). Matchable by the next query.
   * @example index.add(42, 'd8f8f0ce…9b22')
   */
  add(id: number, hash: string | Uint32Array, at = 0): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`index ids are unsigned 32-bit integers, got ${id}`);
    if (this.count === this.ids.length) this.grow(this.count + 1);
    const slot = this.count++;
    if (typeof hash === 'string') packHex256(hash, this.hashes, slot * 8);
    else this.hashes.set(hash.subarray(at, at + 8), slot * 8);
    this.ids[slot] = id;
    this.alive[slot] = 1;
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
      if (this.ids[slot] === id && this.alive[slot]) {
        this.alive[slot] = 0;
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

  /** Calls `hit(slot, distance)` once for every live slot within `threshold` of `q`. */
  private visit(q: Uint32Array, threshold: number, hit: (slot: number, distance: number) => void): void {
    const h = this.hashes;
    const alive = this.alive;
    const q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
    const distance = (slot: number): number => {
      const p = slot * 8;
      return (
        popcount32(h[p] ^ q0) + popcount32(h[p + 1] ^ q1) + popcount32(h[p + 2] ^ q2) + popcount32(h[p + 3] ^ q3) +
        popcount32(h[p + 4] ^ q4) + popcount32(h[p + 5] ^ q5) + popcount32(h[p + 6] ^ q6) + popcount32(h[p + 7] ^ q7)
      );
    };
    const scan = (from: number, to: number) => {
      for (let slot = from; slot < to; slot++) {
        if (!alive[slot]) continue;
        const d = distance(slot);
        if (d <= threshold) hit(slot, d);
      }
    };
    const probe = this.strategy === 'probe' || (this.strategy === 'auto' && !this.probeIsDearer(threshold));
    if (this.baseCount === 0 || !probe) {
      scan(0, this.count);
      return;
    }
    // A slot close on several chunks is found several times; matches are few, so dedupe those.
    let found: Set<number> | undefined;
    let first = -1;
    const radius = Math.floor(threshold / this.chunks.length);
    for (const t of this.chunks) {
      const value = chunkValue(q, 0, t.start, t.bits);
      const { masks } = probeSet(t.bits, radius);
      const { offsets, slots, suffixes, present, suffixBits } = t;
      const suffixMask = (1 << suffixBits) - 1;
      for (let k = 0; k < masks.length; k++) {
        const v = (value ^ masks[k]) >>> 0;
        // Most probed values are held by no entry: a bit test in a small table says so.
        if ((present[v >>> 5] & (1 << (v & 31))) === 0) continue;
        const key = v >>> suffixBits;
        const suffix = v & suffixMask;
        for (let i = offsets[key], end = offsets[key + 1]; i < end; i++) {
          if (suffixes[i] !== suffix) continue;
          const slot = slots[i];
          if (!alive[slot]) continue;
          const d = distance(slot);
          if (d > threshold) continue;
          if (first < 0) first = slot;
          else if (slot === first) continue;
          else {
            found ??= new Set([first]);
            if (found.has(slot)) continue;
            found.add(slot);
          }
          hit(slot, d);
        }
      }
    }
    scan(this.baseCount, this.count);
  }

  /** Whether probing the base would cost more than scanning it. */
  private probeIsDearer(threshold: number): boolean {
    const radius = Math.floor(threshold / this.chunks.length);
    let cost = 0;
    for (const t of this.chunks) {
      const probes = probeCount(t.bits, radius);
      const occupied = probes * Math.min(1, this.baseCount / 2 ** t.bits);
      const entries = (occupied * this.baseCount) / 2 ** (t.bits - t.suffixBits);
      const candidates = (probes * this.baseCount) / 2 ** t.bits;
      cost += PROBE_COST * probes + BUCKET_COST * occupied + ENTRY_COST * entries + CANDIDATE_COST * candidates;
    }
    return cost > this.baseCount;
  }

  /** Chunk tables over the live slots below `upTo` (one chunk per step, so it can yield). */
  private *buildSteps(layout: ChunkLayout, upTo: number): Generator<void, ChunkTable[]> {
    const tables: ChunkTable[] = [];
    const values = new Uint32Array(upTo);
    let liveBelow = 0;
    for (let s = 0; s < upTo; s++) liveBelow += this.alive[s];
    for (let c = 0; c < layout.bits.length; c++) {
      const start = layout.starts[c];
      const bits = layout.bits[c];
      const suffixBits = bits - layout.keyBits;
      const buckets = 1 << layout.keyBits;
      const offsets = new Uint32Array(buckets + 1);
      for (let s = 0; s < upTo; s++) {
        if (!this.alive[s]) continue;
        const v = chunkValue(this.hashes, s * 8, start, bits);
        values[s] = v;
        offsets[(v >>> suffixBits) + 1]++;
      }
      for (let k = 0; k < buckets; k++) offsets[k + 1] += offsets[k];
      const cursor = offsets.slice(0, buckets);
      const present = new Uint32Array(Math.max(1, 2 ** bits / 32));
      const slots = new Uint32Array(liveBelow);
      const suffixes = suffixBits <= 8 ? new Uint8Array(liveBelow) : new Uint16Array(liveBelow);
      const suffixMask = (1 << suffixBits) - 1;
      for (let s = 0; s < upTo; s++) {
        if (!this.alive[s]) continue;
        const v = values[s];
        const i = cursor[v >>> suffixBits]++;
        slots[i] = s;
        suffixes[i] = v & suffixMask;
        present[v >>> 5] |= 1 << (v & 31);
      }
      tables.push({ start, bits, suffixBits, offsets, slots, suffixes, present });
      yield;
    }
    return tables;
  }

  private install(layout: ChunkLayout, upTo: number, tables: ChunkTable[]): void {
    this.layout = layout;
    this.chunks = tables;
    this.baseCount = upTo;
  }

  /** Folds every slot into the base now (bulk loads call this once at the end). */
  rebuild(): void {
    const layout = this.fixedLayout ?? layoutFor(this.live);
    const upTo = this.count;
    const steps = this.buildSteps(layout, upTo);
    let r = steps.next();
    while (!r.done) r = steps.next();
    this.install(layout, upTo, r.value);
  }

  /**
   * Folds every slot added so far into the base, chunk by chunk, yielding to the event loop
   * between chunks; queries keep using the old base meanwhile. Resolves once the base covers every
   * slot that existed when it was called (waiting for, or following, a rebuild in flight).
   */
  async rebuildInBackground(): Promise<void> {
    const target = this.count;
    while (this.baseCount < target) await (this.rebuilding ??= this.rebuildOnce());
  }

  private async rebuildOnce(): Promise<void> {
    try {
      const layout = this.fixedLayout ?? layoutFor(this.live);
      const upTo = this.count;
      const steps = this.buildSteps(layout, upTo);
      let r = steps.next();
      while (!r.done) {
        await new Promise((resolve) => setImmediate(resolve));
        r = steps.next();
      }
      // A synchronous rebuild may have overtaken this one meanwhile.
      if (upTo > this.baseCount) this.install(layout, upTo, r.value);
    } finally {
      this.rebuilding = undefined;
    }
  }

  stats(): HammingIndexStats {
    let bytes = this.hashes.byteLength + this.ids.byteLength + this.alive.byteLength;
    for (const t of this.chunks) bytes += t.offsets.byteLength + t.slots.byteLength + t.suffixes.byteLength + t.present.byteLength;
    return {
      size: this.live,
      slots: this.count,
      baseCount: this.baseCount,
      deltaCount: this.count - this.baseCount,
      chunks: [...this.layout.bits],
      keyBits: this.layout.keyBits,
      bytes,
      ...(this.lastRebuildError ? { lastRebuildError: this.lastRebuildError } : {}),
    };
  }

  /** Everything needed to restart without rebuilding: slots and chunk tables as they are. */
  toSnapshot(signalType: string): Snapshot {
    const sections: Record<string, TypedArray> = {
      hashes: this.hashes.subarray(0, this.count * 8),
      ids: this.ids.subarray(0, this.count),
      alive: this.alive.subarray(0, this.count),
    };
    this.chunks.forEach((t, c) => {
      sections[`offsets${c}`] = t.offsets;
      sections[`slots${c}`] = t.slots;
      sections[`suffixes${c}`] = t.suffixes;
      sections[`present${c}`] = t.present;
    });
    const chunks = this.chunks.map((t) => ({ start: t.start, bits: t.bits, suffixBits: t.suffixBits }));
    return { signalType, kind: 'hamming256', meta: { layout: this.layout, chunks, baseCount: this.baseCount, count: this.count, live: this.live }, sections };
  }

  /** The index a snapshot holds, ready to query (no rebuild). */
  static fromSnapshot(snap: Snapshot, options: HammingIndexOptions = {}): HammingIndex {
    const meta = snap.meta as { layout: ChunkLayout; chunks: Array<{ start: number; bits: number; suffixBits: number }>; baseCount: number; count: number; live: number };
    const { hashes, ids, alive } = snap.sections as { hashes: Uint32Array; ids: Uint32Array; alive: Uint8Array };
    if (snap.kind !== 'hamming256' || ids.length !== meta.count || hashes.length !== meta.count * 8 || alive.length !== meta.count) {
      throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'snapshot sections do not match its header');
    }
    const index = new HammingIndex({ ...options, capacity: meta.count, layout: options.layout });
    index.hashes.set(hashes);
    index.ids.set(ids);
    index.alive.set(alive);
    index.count = meta.count;
    index.live = meta.live;
    const tables = meta.chunks.map((c, i) => ({
      ...c,
      offsets: snap.sections[`offsets${i}`] as Uint32Array,
      slots: snap.sections[`slots${i}`] as Uint32Array,
      suffixes: snap.sections[`suffixes${i}`] as Uint8Array | Uint16Array,
      present: snap.sections[`present${i}`] as Uint32Array,
    }));
    for (const t of tables) {
      if (!t.offsets || !t.slots || !t.suffixes || !t.present || t.present.length !== Math.max(1, 2 ** t.bits / 32) || t.slots.length !== t.suffixes.length || t.offsets[t.offsets.length - 1] !== t.slots.length) {
        throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'snapshot chunk tables are inconsistent');
      }
    }
    index.install(meta.layout, meta.baseCount, tables);
    return index;
  }

  /** Live entries as packed hashes and ids, in slot order. */
  entries(): { hashes: Uint32Array; ids: Uint32Array } {
    const hashes = new Uint32Array(this.live * 8);
    const ids = new Uint32Array(this.live);
    let n = 0;
    for (let s = 0; s < this.count; s++) {
      if (!this.alive[s]) continue;
      hashes.set(this.hashes.subarray(s * 8, s * 8 + 8), n * 8);
      ids[n++] = this.ids[s];
    }
    return { hashes, ids };
  }

  /** An index over packed hashes and ids, built in one go. */
  static fromEntries(hashes: Uint32Array, ids: Uint32Array, options: HammingIndexOptions = {}): HammingIndex {
    const index = new HammingIndex({ ...options, capacity: Math.max(ids.length, options.capacity ?? 0) });
    index.hashes.set(hashes.subarray(0, ids.length * 8));
    index.ids.set(ids);
    index.alive.fill(1, 0, ids.length);
    index.count = index.live = ids.length;
    index.rebuild();
    return index;
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
