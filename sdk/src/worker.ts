/**
 * The hashing worker: decodes an image with the browser's own decoder (no colour conversion, no
 * EXIF rotation, alpha left out — the pixels the server's decoder hands over), computes PDQ with
 * the very code the server runs (src/signals/pdq, bundled), and SHA-256 of the file's bytes.
 * Runs off the page's thread so the page stays responsive; the bytes never leave the browser.
 */
import { PdqHasher } from '../../src/signals/pdq/pdq.js';
import type { HashRequest, HashResponse, ImageHashes } from './protocol.js';

const hasher = new PdqHasher();

async function hash(req: HashRequest): Promise<ImageHashes> {
  const digest = crypto.subtle.digest('SHA-256', req.bytes);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([req.bytes]), {
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'none',
      imageOrientation: 'none',
    } as ImageBitmapOptions);
  } catch {
    throw new Error('not an image this browser can decode (or a damaged one)');
  }
  const { width, height } = bitmap;
  if (width * height > req.maxPixels) {
    bitmap.close();
    throw new Error(`the image has ${width}×${height} pixels, above the limit of ${req.maxPixels.toLocaleString('en')}`);
  }
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('this browser has no 2D canvas in workers');
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = ctx.getImageData(0, 0, width, height).data;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < rgba.length; i += 4) {
    rgb[o++] = rgba[i];
    rgb[o++] = rgba[i + 1];
    rgb[o++] = rgba[i + 2];
  }
  const { hash: pdq, quality } = hasher.hashImage({ data: rgb, width, height, channels: 3 });
  const sha256 = [...new Uint8Array(await digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { pdq, quality, sha256, width, height };
}

self.onmessage = async (event: MessageEvent<HashRequest>) => {
  const req = event.data;
  let res: HashResponse;
  try {
    res = { id: req.id, ok: true, hashes: await hash(req) };
  } catch (err) {
    res = { id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  (self as unknown as Worker).postMessage(res);
};
