import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { kindFromName, sniff } from '../../src/media/detect.js';

describe('sniff', () => {
  it.each(['jpeg', 'png', 'webp', 'gif', 'tiff', 'avif'] as const)('recognises %s produced by the encoder', async (format) => {
    const buf = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .toFormat(format)
      .toBuffer();
    expect(sniff(buf)).toEqual({ kind: 'image', format: format === 'avif' ? 'avif' : format });
  });
  it('recognises video containers', () => {
    expect(sniff(Buffer.from('\0\0\0\x18ftypisom\0\0\0\0', 'latin1')).kind).toBe('video');
    expect(sniff(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2])).format).toBe('matroska');
    expect(sniff(Buffer.from('RIFF\0\0\0\0AVI LIST', 'latin1')).format).toBe('avi');
  });
  it('tells text and unknown bytes apart, and does not mistake text for video', () => {
    expect(sniff(Buffer.from('Good morning, this starts with G'))).toEqual({ kind: 'other', format: 'text' });
    expect(sniff(Buffer.from([0, 1, 2, 3, 250]))).toEqual({ kind: 'other', format: 'unknown' });
    expect(sniff(Buffer.alloc(0)).format).toBe('empty');
  });
});

describe('kindFromName', () => {
  it('reads the promise of an extension, case-insensitively', () => {
    expect(kindFromName('a/B.JPG')).toBe('image');
    expect(kindFromName('clip.MOV')).toBe('video');
    expect(kindFromName('notes.txt')).toBeUndefined();
    expect(kindFromName('noext')).toBeUndefined();
  });
});
