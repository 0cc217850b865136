/** PDQ building blocks and edge cases, on generated images. */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/media/image.js';
import { hammingHex, hexToWords, packHex256, popcount32, wordsToHex } from '../../src/signals/pdq/hash256.js';
import { jaroszWindowSize } from '../../src/signals/pdq/jarosz.js';
import { PDQ_ZERO_HASH, PdqHasher, type RawImage } from '../../src/signals/pdq/pdq.js';
import { torbenMedian } from '../../src/signals/pdq/torben.js';

const hasher = new PdqHasher();

/** A deterministic test pattern of coloured 8×8 blocks on a gradient (no external material). */
function pattern(width: number, height: number, seed = 1): RawImage {
  const data = new Uint8Array(width * height * 3);
  const block = (bx: number, by: number, c: number) => (Math.imul((bx * 73856093) ^ (by * 19349663) ^ ((seed + c) * 83492791), 2654435761) >>> 24) & 0xff;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * 3;
      const bx = Math.floor((x * 32) / width);
      const by = Math.floor((y * 32) / height);
      for (let c = 0; c < 3; c++) data[p + c] = (block(bx, by, c) + (x * 64) / width) & 0xff;
    }
  }
  return { data, width, height, channels: 3 };
}

describe('hash256', () => {
  const hex = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
  it('round-trips hex through reference-layout words', () => {
    expect(wordsToHex(hexToWords(hex.toUpperCase()))).toBe(hex);
    expect(hexToWords(hex)[15]).toBe(0xd8f8);
  });
  it('counts bits and distances', () => {
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(hammingHex(hex, hex)).toBe(0);
    expect(hammingHex('0'.repeat(64), 'f'.repeat(64))).toBe(256);
    expect(hammingHex('0'.repeat(63) + '1', '0'.repeat(64))).toBe(1);
    expect(packHex256('f'.repeat(64))[7]).toBe(0xffffffff);
  });
  it('rejects malformed hashes', () => {
    expect(() => hexToWords('xyz')).toThrow(/64 hex digits/);
    expect(() => hexToWords('0'.repeat(63))).toThrow();
  });
});

describe('PDQ steps', () => {
  it('Torben median equals the sorted median (lower middle for even counts)', () => {
    const v = Float32Array.from({ length: 256 }, (_, i) => Math.fround(Math.sin(i * 12.9898) * 43758.5453));
    const sorted = [...v].sort((a, b) => a - b);
    expect(torbenMedian(v)).toBe(sorted[127]);
  });
  it('uses the reference window sizes', () => {
    expect(jaroszWindowSize(512, 64)).toBe(4);
    expect(jaroszWindowSize(1004, 64)).toBe(8);
    expect(jaroszWindowSize(100, 64)).toBe(1);
  });
});

describe('PdqHasher', () => {
  it('gives the zero hash and quality 0 below 5 px', () => {
    expect(hasher.hashImage(pattern(4, 100))).toEqual({ hash: PDQ_ZERO_HASH, quality: 0 });
  });
  it('gives quality 0 to a flat image and 100 to a detailed one', () => {
    const flat = { data: new Uint8Array(64 * 64 * 3).fill(90), width: 64, height: 64, channels: 3 as const };
    expect(hasher.hashImage(flat).quality).toBe(0);
    expect(hasher.hashImage(pattern(300, 200)).quality).toBe(100);
  });
  it('sets exactly half of the bits (median threshold) on a detailed image', () => {
    const { hash } = hasher.hashImage(pattern(300, 200));
    expect(hammingHex(hash, PDQ_ZERO_HASH)).toBe(128);
  });
  it('above 512 px hashes the nearest-neighbour 512×512 resample', () => {
    const big = pattern(1500, 700, 3);
    const small = new Uint8Array(512 * 512 * 3);
    for (let y = 0; y < 512; y++) {
      for (let x = 0; x < 512; x++) {
        const s = (Math.floor((y * 700) / 512) * 1500 + Math.floor((x * 1500) / 512)) * 3;
        small.set(big.data.subarray(s, s + 3), (y * 512 + x) * 3);
      }
    }
    expect(hasher.hashImage(big)).toEqual(hasher.hashImage({ data: small, width: 512, height: 512, channels: 3 }));
  });
  it('treats an RGB image whose pixels are all grey like a one-channel image', () => {
    const grey = pattern(120, 90);
    const one = new Uint8Array(120 * 90);
    for (let i = 0; i < one.length; i++) {
      one[i] = grey.data[i * 3];
      grey.data[i * 3 + 1] = grey.data[i * 3 + 2] = one[i];
    }
    expect(hasher.hashImage(grey)).toEqual(hasher.hashImage({ data: one, width: 120, height: 90, channels: 1 }));
  });
  it('is stable under JPEG re-encoding (a near-duplicate matches)', async () => {
    const img = pattern(640, 480, 5);
    const png = await sharp(Buffer.from(img.data), { raw: { width: 640, height: 480, channels: 3 } })
      .png()
      .toBuffer();
    const jpeg = await sharp(png).jpeg({ quality: 60 }).toBuffer();
    const a = hasher.hashImage(await decodeImage(png, { maxImagePixels: 1e8 }));
    const b = hasher.hashImage(await decodeImage(jpeg, { maxImagePixels: 1e8 }));
    expect(hammingHex(a.hash, b.hash)).toBeLessThanOrEqual(31);
  });
  it('reuses its buffers across image sizes without carrying state over', () => {
    const a = hasher.hashImage(pattern(200, 150, 2));
    hasher.hashImage(pattern(900, 900, 4));
    expect(hasher.hashImage(pattern(200, 150, 2))).toEqual(a);
  });
});

describe('decodeImage', () => {
  it('applies EXIF orientation only when asked', async () => {
    const img = pattern(160, 90, 7);
    const jpeg = await sharp(Buffer.from(img.data), { raw: { width: 160, height: 90, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const stored = await decodeImage(jpeg, { maxImagePixels: 1e8 });
    const oriented = await decodeImage(jpeg, { maxImagePixels: 1e8, autoOrient: true });
    expect([stored.width, stored.height]).toEqual([160, 90]);
    expect([oriented.width, oriented.height]).toEqual([90, 160]);
  });
  it('refuses an image above the pixel limit before decoding it', async () => {
    const png = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#808080' } })
      .png()
      .toBuffer();
    await expect(decodeImage(png, { maxImagePixels: 100_000 })).rejects.toMatchObject({ code: 'IMAGE_TOO_LARGE' });
  });
  it('decodes the first frame of an animated GIF', async () => {
    const frames = Buffer.concat([Buffer.alloc(32 * 32 * 4, 0xff), Buffer.alloc(32 * 32 * 4, 0x00)]);
    const raw = { width: 32, height: 64, channels: 4, pageHeight: 32 } as const;
    const gif = await sharp(frames, { raw }).gif().toBuffer();
    expect((await sharp(gif).metadata()).pages).toBe(2);
    const first = await decodeImage(gif, { maxImagePixels: 1e8 });
    expect([first.width, first.height]).toEqual([32, 32]);
    expect(first.data[0]).toBe(0xff);
  });
});
