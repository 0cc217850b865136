/**
 * Fast, deterministic generators of benchmark hash sets (packed 256-bit hashes, 8 words each),
 * written in the text format of ../shared/bench/make_hashes.py (64 hex digits a line) so that
 * ../shared/bench/faiss_match.py reads the same files.
 *
 * clusteredSet: a bank where many entries are near-variants of each other, as a bank of video
 * frames and re-encodes is (issue 19, target 3):
 *  - 35% independent images, a fifth of them with 1–3 re-encoded copies (1–8 bits flipped each);
 *  - videos of 30–600 frames: each frame is the previous one with 0–3 bits flipped (a third of
 *    frames repeat the previous one exactly: still shots), a scene cut (a new random frame) every
 *    ~50 frames; 30% of videos are there twice more, re-encoded (every frame with 1–8 bits flipped);
 *  - one long still shot: 2% of the bank, each entry its base with 0–6 bits flipped, so one value
 *    of every chunk holds tens of thousands of entries (the case that must not cost more than a scan).
 * Queries: half are haystack entries with 0–20 bits flipped (mostly matches, often many), a quarter
 * entries with 24–44 bits flipped (near a cluster, mostly no match: the dearest for a multi-index),
 * a quarter random.
 */
import { open } from 'node:fs/promises';

/** splitmix32-style generator: fast, deterministic, good enough for benchmark data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Flips `k` distinct random bits of hash `i` of `words`. */
export function flipDistinct(words: Uint32Array, i: number, k: number, r: () => number): void {
  const p = i * 8;
  const done = new Uint32Array(8);
  for (let f = 0; f < k;) {
    const b = r() & 255;
    const bit = 1 << (b & 31);
    if (done[b >>> 5] & bit) continue;
    done[b >>> 5] |= bit;
    words[p + (b >>> 5)] ^= bit;
    f++;
  }
}

function randomInto(words: Uint32Array, i: number, r: () => number): void {
  for (let w = 0; w < 8; w++) words[i * 8 + w] = r();
}

function copy(words: Uint32Array, to: number, from: number): void {
  words.copyWithin(to * 8, from * 8, from * 8 + 8);
}

/** The clustered bank of `n` hashes and `q` queries (see the file comment); `still` is the still shot's share. */
export function clusteredSet(n: number, q: number, seed = 43, still = 0.02): { hay: Uint32Array; queries: Uint32Array } {
  const r = rng(seed);
  const below = (k: number) => r() % k;
  const hay = new Uint32Array(n * 8);
  let i = 0;
  // The long still shot.
  const stillN = Math.floor(n * still);
  if (stillN > 0) {
    randomInto(hay, 0, r);
    for (i = 1; i < stillN; i++) {
      copy(hay, i, 0);
      flipDistinct(hay, i, below(7), r);
    }
  }
  while (i < n) {
    if (r() / 2 ** 32 < 0.35) {
      randomInto(hay, i++, r);
      if (below(5) === 0) {
        const from = i - 1;
        for (let c = 1 + below(3); c > 0 && i < n; c--) {
          copy(hay, i, from);
          flipDistinct(hay, i++, 1 + below(8), r);
        }
      }
      continue;
    }
    const first = i;
    const frames = Math.min(n - i, 30 + below(571));
    for (let f = 0; f < frames; f++, i++) {
      if (f === 0 || below(50) === 0) randomInto(hay, i, r);
      else {
        copy(hay, i, i - 1);
        if (below(3) !== 0) flipDistinct(hay, i, 1 + below(3), r);
      }
    }
    if (below(10) < 3)
      for (let copyN = 0; copyN < 2; copyN++)
        for (let f = 0; f < frames && i < n; f++, i++) {
          copy(hay, i, first + f);
          flipDistinct(hay, i, 1 + below(8), r);
        }
  }
  const queries = new Uint32Array(q * 8);
  for (let k = 0; k < q; k++) {
    const kind = k % 4;
    if (kind === 3) randomInto(queries, k, r);
    else {
      const from = below(n);
      queries.set(hay.subarray(from * 8, from * 8 + 8), k * 8);
      flipDistinct(queries, k, kind === 2 ? 24 + below(21) : below(21), r);
    }
  }
  return { hay, queries };
}

/**
 * The distribution of ../shared/bench/make_hashes.py, fast enough for 100 M hashes (the Python
 * generator needs hours there): 70% independent random hashes and 30% near-variants (1–24
 * distinct flipped bits) of a uniformly drawn earlier entry; queries alternate between a haystack
 * entry with 0–20 distinct bits flipped and a random hash. Same distribution, not the same
 * values (another generator): bench/check-gen.ts compares the two at 100 k.
 */
export function makeHashesLike(n: number, q: number, seed = 41): { hay: Uint32Array; queries: Uint32Array } {
  const r = rng(seed);
  const uniform = () => r() / 2 ** 32;
  const below = (k: number) => Math.floor(uniform() * k);
  const hay = new Uint32Array(n * 8);
  for (let i = 0; i < n; i++) {
    if (i > 0 && uniform() < 0.3) {
      copy(hay, i, below(i));
      flipDistinct(hay, i, 1 + below(24), r);
    } else randomInto(hay, i, r);
  }
  const queries = new Uint32Array(q * 8);
  for (let k = 0; k < q; k++) {
    if (k % 2 === 0) {
      const from = below(n);
      queries.set(hay.subarray(from * 8, from * 8 + 8), k * 8);
      flipDistinct(queries, k, below(21), r);
    } else randomInto(queries, k, r);
  }
  return { hay, queries };
}

/** Writes packed hashes as 64-hex-digit lines (make_hashes.py's format). */
export async function writeHashLines(path: string, words: Uint32Array): Promise<void> {
  const fh = await open(path, 'w');
  try {
    const perChunk = 1 << 16;
    const buf = Buffer.allocUnsafe(perChunk * 65);
    const hex = Buffer.from('0123456789abcdef');
    for (let start = 0; start < words.length / 8; start += perChunk) {
      const end = Math.min(words.length / 8, start + perChunk);
      let o = 0;
      for (let h = start; h < end; h++) {
        for (let w = 0; w < 8; w++) {
          const x = words[h * 8 + w];
          for (let s = 28; s >= 0; s -= 4) buf[o++] = hex[(x >>> s) & 15];
        }
        buf[o++] = 10;
      }
      let done = 0;
      while (done < o) done += (await fh.write(buf, done, o - done)).bytesWritten;
    }
  } finally {
    await fh.close();
  }
}
