/**
 * PDQ, Meta's 256-bit perceptual image hash, computed bit-for-bit like the reference C++
 * `pdq-photo-hasher` (see docs/architecture.md, "PDQ fidelity"): nearest-neighbour pre-resize to
 * 512×512 above 512 px, float32 luma, two Jarosz passes, 64×64 decimation, quality metric,
 * 16×16 partial DCT, Torben median threshold, and the eight dihedral variants from the DCT.
 */
import { dct64To16 } from './dct.js';
import { DIHEDRAL_VARIANTS, dihedralDct, type DihedralVariant } from './dihedral.js';
import { wordsToHex } from './hash256.js';
import { jaroszDownsample } from './jarosz.js';
import { torbenMedian } from './torben.js';

const f = Math.fround;

/** float32(coefficient · v) for every byte v: the reference's luma products, looked up. */
function lumaTable(coefficient: number): Float32Array {
  const c = f(coefficient);
  return Float32Array.from({ length: 256 }, (_, v) => c * v);
}
const LUMA_R_OF = lumaTable(0.299);
const LUMA_G_OF = lumaTable(0.587);
const LUMA_B_OF = lumaTable(0.114);

/** Images with a side above this are first resized to exactly this square (nearest neighbour). */
export const PDQ_PRE_RESIZE = 512;
/** Images with a side below this get the all-zero hash and quality 0. */
export const PDQ_MIN_DIM = 5;
/** Hashes below this quality should not be matched or shared (reference guidance). */
export const PDQ_MIN_QUALITY = 50;
/** Default match threshold: Hamming distance ≤ 31. */
export const PDQ_MATCH_THRESHOLD = 31;
export const PDQ_ZERO_HASH = '0'.repeat(64);

/** Interleaved 8-bit pixels, 1 (grey) or 3 (RGB) channels, row-major. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
}

export interface PdqResult {
  hash: string;
  quality: number;
}

export interface PdqDihedralResult extends PdqResult {
  dihedral: Record<DihedralVariant, string>;
}

/**
 * Reusable PDQ hasher: keeps its scratch buffers between calls, so one instance per worker
 * hashes a stream of images or video frames without allocating per image.
 *
 * @example
 * const hasher = new PdqHasher();
 * const { hash, quality } = hasher.hashImage({ data, width, height, channels: 3 });
 */
export class PdqHasher {
  private buf1 = new Float32Array(0);
  private buf2 = new Float32Array(0);
  private readonly a64 = new Float32Array(64 * 64);
  private readonly t16x64 = new Float32Array(16 * 64);
  private readonly b16 = new Float32Array(16 * 16);
  private readonly aux16 = new Float32Array(16 * 16);
  private readonly words = new Uint16Array(16);

  /** Hashes decoded pixels the way the reference tool does after loading a file. */
  hashImage(img: RawImage): PdqResult;
  hashImage(img: RawImage, options: { dihedral: true }): PdqDihedralResult;
  hashImage(img: RawImage, options?: { dihedral?: boolean }): PdqResult | PdqDihedralResult;
  hashImage(img: RawImage, options: { dihedral?: boolean } = {}): PdqResult | PdqDihedralResult {
    const { rows, cols } = this.fillLuma(img, img.width > PDQ_PRE_RESIZE || img.height > PDQ_PRE_RESIZE);
    return this.fromLuma(rows, cols, options.dihedral ?? false);
  }

  /**
   * Hashes a video frame (RGB24, `stride` bytes a row) at its native size, as the reference vPDQ
   * hasher does: no 512 px pre-resize.
   */
  hashFrame(rgb: Uint8Array, width: number, height: number, stride = width * 3): PdqResult {
    const n = width * height;
    this.ensure(n);
    const luma = this.buf1;
    for (let y = 0; y < height; y++) {
      let p = y * stride;
      let o = y * width;
      for (let x = 0; x < width; x++, p += 3) luma[o++] = f(f(LUMA_R_OF[rgb[p]] + LUMA_G_OF[rgb[p + 1]]) + LUMA_B_OF[rgb[p + 2]]);
    }
    return this.fromLuma(height, width, false);
  }

  private ensure(n: number): void {
    if (this.buf1.length < n) {
      this.buf1 = new Float32Array(n);
      this.buf2 = new Float32Array(n);
    }
  }

  /** Writes the luma of `img` (optionally nearest-resized to 512×512) into buf1. */
  private fillLuma(img: RawImage, resize: boolean): { rows: number; cols: number } {
    const { data, width, height } = img;
    const rows = resize ? PDQ_PRE_RESIZE : height;
    const cols = resize ? PDQ_PRE_RESIZE : width;
    this.ensure(rows * cols);
    const luma = this.buf1;
    const ch = img.channels;
    // Byte offset, within a source row, of the pixel that each output column takes.
    const xs = new Int32Array(cols);
    for (let x = 0; x < cols; x++) xs[x] = (resize ? Math.floor((x * width) / cols) : x) * ch;
    // The reference's decoder hands over a single grey channel whenever every pixel has R = G = B;
    // grey values are used as luma directly, which differs from the RGB formula in the last bits.
    const grey = ch === 1 || isGreyRgb(data);
    for (let y = 0, o = 0; y < rows; y++) {
      const rowBase = (resize ? Math.floor((y * height) / rows) : y) * width * ch;
      if (grey) {
        for (let x = 0; x < cols; x++) luma[o++] = data[rowBase + xs[x]];
      } else {
        for (let x = 0; x < cols; x++) {
          const p = rowBase + xs[x];
          luma[o++] = f(f(LUMA_R_OF[data[p]] + LUMA_G_OF[data[p + 1]]) + LUMA_B_OF[data[p + 2]]);
        }
      }
    }
    return { rows, cols };
  }

  private fromLuma(rows: number, cols: number, dihedral: boolean): PdqResult | PdqDihedralResult {
    if (rows < PDQ_MIN_DIM || cols < PDQ_MIN_DIM) {
      const zero = { hash: PDQ_ZERO_HASH, quality: 0 };
      if (!dihedral) return zero;
      return { ...zero, dihedral: Object.fromEntries(DIHEDRAL_VARIANTS.map((v) => [v, PDQ_ZERO_HASH])) as Record<DihedralVariant, string> };
    }
    const a = this.a64;
    if (rows === 64 && cols === 64) {
      // The reference skips the blur for inputs that are already 64×64.
      a.set(this.buf1.subarray(0, 4096));
    } else {
      jaroszDownsample(this.buf1, this.buf2, rows, cols, a, 64, 64);
    }
    const quality = qualityMetric(a);
    dct64To16(a, this.t16x64, this.b16);
    const hash = this.bits(this.b16);
    if (!dihedral) return { hash, quality };
    const out = {} as Record<DihedralVariant, string>;
    for (const v of DIHEDRAL_VARIANTS) {
      dihedralDct(this.b16, v, this.aux16);
      out[v] = this.bits(this.aux16);
    }
    return { hash, quality, dihedral: out };
  }

  private bits(dct: Float32Array): string {
    const median = torbenMedian(dct);
    const w = this.words;
    w.fill(0);
    for (let k = 0; k < 256; k++) if (dct[k] > median) w[k >> 4] |= 1 << (k & 15);
    return wordsToHex(w);
  }
}

/** True when every pixel of interleaved RGB data has R = G = B. */
function isGreyRgb(data: Uint8Array): boolean {
  for (let p = 0; p < data.length; p += 3) if (data[p] !== data[p + 1] || data[p] !== data[p + 2]) return false;
  return true;
}

/**
 * The reference quality metric: the number of significant luma gradients between neighbours of
 * the 64×64 downsample, scaled to 0…100.
 */
export function qualityMetric(a: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < 63; i++) {
    for (let j = 0; j < 64; j++) sum += Math.abs(Math.trunc(f(f(f(a[i * 64 + j] - a[(i + 1) * 64 + j]) * 100) / 255)));
  }
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 63; j++) sum += Math.abs(Math.trunc(f(f(f(a[i * 64 + j] - a[i * 64 + j + 1]) * 100) / 255)));
  }
  return Math.min(100, Math.trunc(sum / 90));
}
