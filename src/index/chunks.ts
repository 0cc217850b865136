/**
 * Multi-index hashing layout for 256-bit hashes: the hash is cut into `m` contiguous chunks of
 * 16–24 bits. By the pigeonhole principle, two hashes within distance T agree to within
 * floor(T / m) bits on at least one chunk, so probing every chunk's buckets within that radius
 * finds every match, and nothing else needs to be compared.
 */

export interface ChunkLayout {
  /** First bit (0 = most significant bit of the hex form) of each chunk. */
  starts: number[];
  /** Width of each chunk in bits (≤ 32). */
  bits: number[];
  /**
   * How many leading bits of a chunk address its bucket; the remaining bits (≤ 16) are kept
   * beside each entry and filter candidates without touching the hash itself.
   */
  keyBits: number;
  /**
   * Whether each chunk keeps a bitmap of the values present (2^bits bits). Absent in snapshots
   * written before it existed: those have bitmaps.
   */
  bitmaps?: boolean;
}

/** Default number of chunks: 11 chunks of 23–24 bits probe radius 2 at threshold 31 (measured best, see bench:match). */
export const DEFAULT_CHUNKS = 11;

/**
 * The layout for an index of about `n` hashes: 11 chunks; buckets keyed by log2(n) − 3 bits (8 to
 * 20), so a bucket holds ~8 entries that the suffix filter mostly discards without reading their
 * hash, and bucket offsets (two bytes a key, see ChunkTable.blockBase) cost ~2.3–2.9 bytes a hash
 * over all chunks at every size (2 MiB a chunk at 10 M). Bitmaps of present values (2 MiB a 24-bit
 * chunk, 14 MiB in all) are kept where they cost at most 2 bytes a hash (n ≥ ~7 M): at 10 M they
 * spare ~40% of bucket reads for 1.5 bytes a hash; at 1 M they would cost 15 bytes a hash, which
 * the 80-bytes-a-hash budget (issue 19) has not got, so smaller indexes look buckets up per key
 * (measured at 1 M: see bench:match and README).
 */
export function layoutFor(n: number, chunks = DEFAULT_CHUNKS): ChunkLayout {
  const keyBits = Math.min(20, Math.max(8, Math.round(Math.log2(Math.max(n, 2))) - 3));
  const layout = evenLayout(chunks, keyBits);
  return { ...layout, bitmaps: layout.bits.reduce((sum, b) => sum + 2 ** b / 8, 0) <= 2 * n };
}

/** `m` chunks whose widths differ by at most one bit. */
export function evenLayout(m: number, keyBits = 16): ChunkLayout {
  const base = Math.floor(256 / m);
  const wider = 256 - base * m;
  const starts: number[] = [];
  const bits: number[] = [];
  let start = 0;
  for (let c = 0; c < m; c++) {
    const b = base + (c < wider ? 1 : 0);
    starts.push(start);
    bits.push(b);
    start += b;
  }
  const key = Math.min(keyBits, Math.min(...bits));
  if (Math.max(...bits) - key > 16 || key > 24) throw new RangeError(`chunks of ${Math.max(...bits)} bits need more than ${key} key bits`);
  return { starts, bits, keyBits: key };
}

/**
 * The value of the `bits`-wide chunk starting at bit `start` of the packed hash at `words[at…at+7]`.
 */
export function chunkValue(words: Uint32Array, at: number, start: number, bits: number): number {
  const w = at + (start >>> 5);
  const o = start & 31;
  const hi = (words[w] << o) >>> (32 - bits);
  if (o + bits <= 32) return hi;
  return (hi | (words[w + 1] >>> (64 - o - bits))) >>> 0;
}

/** Popcount of each mask of `probeMasks(bits, radius)`, in the same order. */
export function maskWeights(masks: Int32Array): Uint8Array {
  return Uint8Array.from(masks, (m) => {
    let c = 0;
    for (let x = m >>> 0; x; x &= x - 1) c++;
    return c;
  });
}

export interface ProbeSet {
  /** XOR masks with at most `radius` bits set, 0 first. */
  masks: Int32Array;
  /** Bits set in each mask. */
  weights: Uint8Array;
}

const probeCache: ProbeSet[][] = [];

/** The probe masks of a `bits`-wide key within `radius`, with their weights (cached). */
export function probeSet(bits: number, radius: number): ProbeSet {
  const byRadius = (probeCache[bits] ??= []);
  let set = byRadius[radius];
  if (!set) {
    const masks = probeMasks(bits, radius);
    set = byRadius[radius] = { masks, weights: maskWeights(masks) };
  }
  return set;
}

/** Every XOR mask of `bits` bits with at most `radius` bits set (0 first). */
export function probeMasks(bits: number, radius: number): Int32Array {
  const out: number[] = [0];
  const rec = (from: number, left: number, mask: number) => {
    for (let i = from; i < bits; i++) {
      const m = mask | (1 << i);
      out.push(m);
      if (left > 1) rec(i + 1, left - 1, m);
    }
  };
  if (radius > 0) rec(0, radius, 0);
  return Int32Array.from(out);
}

/** Σ_{k ≤ r} C(b, k): how many buckets a probe of radius r visits in a chunk of b bits. */
export function probeCount(bits: number, radius: number): number {
  let total = 0;
  let c = 1;
  for (let k = 0; k <= Math.min(radius, bits); k++) {
    total += c;
    c = (c * (bits - k)) / (k + 1);
  }
  return total;
}
