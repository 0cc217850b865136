/**
 * The index's optional C kernel (native/hamming-batch.c, built by `node scripts/native.mjs` into
 * native/build/ when the machine has a C compiler and Node's headers). Without it, or with
 * ALLIANCE_NATIVE=0, the same work runs in JavaScript with the same answers.
 */
import { createRequire } from 'node:module';

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
}

let loaded: NativeKernel | null | undefined;
let enabled = process.env.ALLIANCE_NATIVE !== '0';

/** Turns the kernel on or off in this thread (tests compare the two walks). */
export function useNativeKernel(on: boolean): void {
  enabled = on;
}

/** The C kernel, or undefined when it is not built or turned off (ALLIANCE_NATIVE=0). */
export function nativeKernel(): NativeKernel | undefined {
  if (!enabled) return undefined;
  if (loaded === undefined) {
    try {
      // src/index/ and dist/index/ are both two levels below the project's root.
      loaded = createRequire(import.meta.url)('../../native/build/hamming-batch.node') as NativeKernel;
    } catch {
      loaded = null;
    }
  }
  return loaded ?? undefined;
}
