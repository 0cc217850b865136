/**
 * Image decoding through sharp (libvips), configured to hand over the same pixels as the PDQ
 * reference's decoder: embedded ICC profiles ignored, no EXIF rotation unless asked, alpha
 * dropped (not composited), CMYK converted with the plain (1−C)(1−K) formula, first frame of
 * animations. Refuses images above the pixel limit before decoding a single pixel.
 */
import sharp, { type Metadata } from 'sharp';
import { AllianceError } from '../errors/catalogue.js';
import type { RawImage } from '../signals/index.js';

export interface DecodeOptions {
  maxImagePixels: number;
  /** Apply the EXIF orientation (the reference does not). */
  autoOrient?: boolean;
  /**
   * Opt-in fast decode for triage: a JPEG larger than FAST_MIN_SIDE × 2 on its shorter side is
   * decoded at 1/2, 1/4 or 1/8 of its size by the JPEG decoder's DCT scaling (shrink-on-load),
   * keeping the shorter side ≥ FAST_MIN_SIDE. The hash is close to the exact one, not equal
   * (bench:decode measures how close); `reduced` says when it was used.
   */
  fast?: boolean;
}

export interface DecodedImage extends RawImage {
  format: string;
  /** Decoded at a reduced size by the fast path (DecodeOptions.fast): the hash is not the exact one. */
  reduced?: boolean;
}

/** The fast path keeps at least this many pixels on the shorter side. */
export const FAST_MIN_SIDE = 256;

/** The JPEG DCT scale (8, 4, 2) the fast path decodes at, or 1 (full size). */
export function fastShrink(width: number, height: number): number {
  const side = Math.min(width, height);
  for (const s of [8, 4, 2]) if (side / s >= FAST_MIN_SIDE) return s;
  return 1;
}

// One libvips thread per decode: parallelism comes from the hasher's worker threads.
sharp.concurrency(1);

/**
 * Decodes an image file or buffer to 8-bit grey or RGB pixels.
 * @example const img = await decodeImage('photo.jpg', { maxImagePixels: 1e8 });
 */
export async function decodeImage(input: string | Buffer, options: DecodeOptions): Promise<DecodedImage> {
  const base = { ignoreIcc: true, failOn: 'warning', limitInputPixels: false, autoOrient: options.autoOrient ?? false } as const;
  let meta: Metadata;
  try {
    meta = await sharp(input, base).metadata();
  } catch (err) {
    throw decodeError(err);
  }
  const { width = 0, height = 0 } = meta;
  if (width * height > options.maxImagePixels) {
    throw new AllianceError(
      'IMAGE_TOO_LARGE',
      `image declares ${width}×${height} = ${(width * height).toLocaleString('en')} pixels, above the limit of ${options.maxImagePixels.toLocaleString('en')} (--max-pixels)`,
    );
  }
  try {
    const cmyk = meta.space === 'cmyk';
    let pipeline = sharp(input, { ...base, limitInputPixels: options.maxImagePixels });
    // Orientation swaps the sides only after decoding: the shrink is chosen on the stored sides.
    const shrink = options.fast && meta.format === 'jpeg' ? fastShrink(width, height) : 1;
    if (shrink > 1) {
      const [w, h] = options.autoOrient && (meta.orientation ?? 1) >= 5 ? [height, width] : [width, height];
      // Exactly the DCT-scaled size: libvips decodes at 1/shrink and the resize has nothing left to do.
      pipeline = pipeline.resize(Math.ceil(w / shrink), Math.ceil(h / shrink), { fit: 'fill', fastShrinkOnLoad: true });
    }
    pipeline = cmyk ? pipeline.pipelineColourspace('cmyk').toColourspace('cmyk') : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const format = meta.format ?? 'unknown';
    const reduced = shrink > 1 ? { reduced: true } : {};
    if (cmyk) return { data: cmykToRgb(data), width: info.width, height: info.height, channels: 3, format, ...reduced };
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`unexpected ${info.channels} channels after removing alpha`);
    return { data, width: info.width, height: info.height, channels: info.channels, format, ...reduced };
  } catch (err) {
    throw decodeError(err);
  }
}

/** (1−C)(1−K) per channel, rounded: the conversion the reference's decoder applies to CMYK. */
function cmykToRgb(cmyk: Buffer): Uint8Array {
  const rgb = new Uint8Array((cmyk.length / 4) * 3);
  for (let i = 0, o = 0; i < cmyk.length; i += 4) {
    const k = 255 - cmyk[i + 3];
    rgb[o++] = Math.round(((255 - cmyk[i]) * k) / 255);
    rgb[o++] = Math.round(((255 - cmyk[i + 1]) * k) / 255);
    rgb[o++] = Math.round(((255 - cmyk[i + 2]) * k) / 255);
  }
  return rgb;
}

/** Turns libvips' wording into a catalogue error with a readable reason. */
function decodeError(err: unknown): AllianceError {
  const msg = (err instanceof Error ? err.message : String(err)).trim();
  const first = msg.split('\n')[0];
  if (/unsupported image format|bad seek|not a known file format/i.test(msg)) {
    return new AllianceError('IMAGE_UNSUPPORTED', `not an image format the decoder supports (${first})`, { cause: err });
  }
  if (/pixel limit/i.test(msg)) return new AllianceError('IMAGE_TOO_LARGE', first, { cause: err });
  if (/premature end|truncat|corrupt|invalid|bad|error|unexpected end|read error|short|damaged/i.test(msg)) {
    return new AllianceError('IMAGE_CORRUPT', `damaged or truncated image: ${first}`, { cause: err });
  }
  return new AllianceError('IMAGE_CORRUPT', `cannot decode image: ${first}`, { cause: err });
}
