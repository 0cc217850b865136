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
}

export interface DecodedImage extends RawImage {
  format: string;
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
    pipeline = cmyk ? pipeline.pipelineColourspace('cmyk').toColourspace('cmyk') : pipeline.removeAlpha();
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const format = meta.format ?? 'unknown';
    if (cmyk) return { data: cmykToRgb(data), width: info.width, height: info.height, channels: 3, format };
    if (info.channels !== 1 && info.channels !== 3) throw new Error(`unexpected ${info.channels} channels after removing alpha`);
    return { data, width: info.width, height: info.height, channels: info.channels, format };
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
