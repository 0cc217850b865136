/**
 * The index's optional C kernel (native/hamming.c, built by `node scripts/native.mjs` into
 * native/build/ when the machine has a C compiler and Node's headers). Without it, or with
 * ALLIANCE_NATIVE=0, the same work runs in JavaScript with the same answers.
 */
import { createRequire } from 'node:module';
import { probeSet } from './chunks.js';
import type { ChunkTable } from './hamming-probe.js';

export interface NativeKernel {
  /** hamming-batch.ts's probePart over the same arrays: the hits as (query, slot, distance) triples. */
  probePart(
    hashes: Uint32Array,
    alive: Uint32Array,
    qs: Uint32Array,
    n: number,
    threshold: number,
    low: number,
    maxEntries: number,
    maxCandidates: number,
    scanned: Uint8Array,
    chunks: unknown[][],
  ): Uint32Array;
  /**
   * hamming-probe.ts's probeBase for one query: writes (slot, distance) pairs to `out` while they
   * fit and returns how many hits there are, or -1 when the base is to be scanned instead; `stats`
   * gets probes, buckets, entries and candidates.
   */
  probeOne(
    hashes: Uint32Array,
    alive: Uint32Array,
    q: Uint32Array,
    threshold: number,
    maxEntries: number,
    maxCandidates: number,
    chunks: unknown[][],
    out: Uint32Array,
    stats: Float64Array,
  ): number;
}

/** Which build: the one tuned for this CPU, or the scalar one (what machines without AVX-512 run). */
export type KernelBuild = 'tuned' | 'scalar';
const loaded = new Map<KernelBuild, NativeKernel | null>();
let enabled: KernelBuild | false = process.env.ALLIANCE_NATIVE === '0' ? false : 'tuned';

/** Turns the kernel on (the tuned build, or the scalar one) or off in this thread (tests compare them). */
export function useNativeKernel(on: boolean | KernelBuild): void {
  enabled = on === true ? 'tuned' : on;
}

/** The C kernel, or undefined when it is not built or turned off (ALLIANCE_NATIVE=0). */
export function nativeKernel(): NativeKernel | undefined {
  if (!enabled) return undefined;
  let kernel = loaded.get(enabled);
  if (kernel === undefined) {
    try {
      // src/index/ and dist/index/ are both two levels below the project's root.
      kernel = createRequire(import.meta.url)(`../../native/build/${enabled === 'tuned' ? 'hamming' : 'hamming-scalar'}.node`) as NativeKernel;
    } catch {
      kernel = null;
    }
    loaded.set(enabled, kernel);
  }
  return kernel ?? undefined;
}

interface Described {
  arrays: unknown[];
  byRadius: unknown[][];
}
const described = new WeakMap<ChunkTable, Described>();

/** A chunk table's arrays in the kernel's order (offsets, blockBase, rel, wide, packed, slots, suffixes). */
function arraysOf(t: ChunkTable): unknown[] {
  return [t.offsets, t.blockBase, t.rel, t.wide, t.packed, t.slots, t.suffixes];
}

/**
 * The chunk tables as the kernel reads them, at these radii: for each, [Int32Array(start, bits,
 * suffixBits, radius, packShift), its arrays, the probe masks and their weights, the bitmap of
 * values present]; the masks span the whole chunk where there is a bitmap, its key elsewhere.
 * Kept per table and radius while the table's arrays stay the same.
 */
export function kernelChunks(chunks: readonly ChunkTable[], radii: Int8Array): unknown[][] {
  return chunks.map((t, c) => {
    const radius = radii[c];
    const arrays = arraysOf(t);
    let d = described.get(t);
    if (!d || d.arrays.some((a, i) => a !== arrays[i])) described.set(t, (d = { arrays, byRadius: [] }));
    const slot = radius + 1;
    let desc = d.byRadius[slot] as unknown[] | undefined;
    if (!desc) {
      const params = Int32Array.of(t.start, t.bits, t.suffixBits, radius, t.packShift ?? 8);
      if (radius < 0) desc = [params];
      else {
        const { masks, weights } = t.present ? probeSet(t.bits, radius) : probeSet(t.bits - t.suffixBits, radius);
        desc = [params, ...arrays, masks, weights, t.present];
      }
      d.byRadius[slot] = desc;
    }
    return desc;
  });
}
