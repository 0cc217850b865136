/**
 * What a file is, from its first bytes (never from its name alone): image, video, or other.
 * The name only tells what the user expects, so that "a text file named .jpg" is reported as
 * such instead of silently hashed as bytes.
 */
import { extname } from 'node:path';

export type MediaKind = 'image' | 'video' | 'other';

export interface Sniffed {
  kind: MediaKind;
  /** Short format name (jpeg, png, mp4, …) or a hint for other content (text, empty, unknown). */
  format: string;
}

/** How many leading bytes `sniff` needs. */
export const SNIFF_BYTES = 512;

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.jpe', '.jfif', '.png', '.gif', '.webp', '.tif', '.tiff', '.bmp', '.avif', '.heic', '.heif', '.jxl']);
const VIDEO_EXTENSIONS = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.qt',
  '.mkv',
  '.webm',
  '.avi',
  '.wmv',
  '.asf',
  '.flv',
  '.mpg',
  '.mpeg',
  '.ts',
  '.m2ts',
  '.mts',
  '.3gp',
  '.3g2',
  '.ogv',
  '.vob',
]);
const HEIF_BRANDS = new Set(['avif', 'avis', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'mif1', 'msf1']);

/** The media kind a file name promises, or undefined when the name says nothing. */
export function kindFromName(path: string): MediaKind | undefined {
  const ext = extname(path).toLowerCase();
  if (IMAGE_EXTENSIONS.has(ext)) return 'image';
  if (VIDEO_EXTENSIONS.has(ext)) return 'video';
  return undefined;
}

function ascii(b: Uint8Array, start: number, end: number): string {
  return String.fromCharCode(...b.subarray(start, end));
}

/**
 * Classifies content by its magic bytes.
 * @example sniff(Buffer.from([0xff, 0xd8, 0xff, 0xe0])) // { kind: 'image', format: 'jpeg' }
 */
export function sniff(b: Uint8Array): Sniffed {
  if (b.length === 0) return { kind: 'other', format: 'empty' };
  const at = (i: number) => b[i];
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return { kind: 'image', format: 'jpeg' };
  if (at(0) === 0x89 && ascii(b, 1, 4) === 'PNG') return { kind: 'image', format: 'png' };
  if (ascii(b, 0, 4) === 'GIF8') return { kind: 'image', format: 'gif' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP') return { kind: 'image', format: 'webp' };
  if (ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'AVI ') return { kind: 'video', format: 'avi' };
  if ((at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a && at(3) === 0) || (at(0) === 0x4d && at(1) === 0x4d && at(2) === 0 && at(3) === 0x2a)) {
    return { kind: 'image', format: 'tiff' };
  }
  if (at(0) === 0x42 && at(1) === 0x4d && [12, 40, 52, 56, 64, 108, 124].includes(b[14] | (b[15] << 8))) return { kind: 'image', format: 'bmp' };
  if ((at(0) === 0xff && at(1) === 0x0a) || ascii(b, 4, 8) === 'JXL ') return { kind: 'image', format: 'jxl' };
  if (ascii(b, 4, 8) === 'ftyp') {
    const brand = ascii(b, 8, 12);
    if (HEIF_BRANDS.has(brand)) return { kind: 'image', format: brand.startsWith('avi') ? 'avif' : 'heif' };
    return { kind: 'video', format: brand.trim() === 'qt' ? 'mov' : 'mp4' };
  }
  if (['moov', 'mdat', 'wide', 'free'].includes(ascii(b, 4, 8))) return { kind: 'video', format: 'mov' };
  if (at(0) === 0x1a && at(1) === 0x45 && at(2) === 0xdf && at(3) === 0xa3) return { kind: 'video', format: 'matroska' };
  if (ascii(b, 0, 3) === 'FLV') return { kind: 'video', format: 'flv' };
  if (at(0) === 0x30 && at(1) === 0x26 && at(2) === 0xb2 && at(3) === 0x75) return { kind: 'video', format: 'asf' };
  if (at(0) === 0 && at(1) === 0 && at(2) === 1 && (at(3) === 0xba || at(3) === 0xb3)) return { kind: 'video', format: 'mpeg' };
  if (at(0) === 0x47 && b[188] === 0x47 && (b.length < 377 || b[376] === 0x47)) return { kind: 'video', format: 'mpegts' };
  if (ascii(b, 0, 4) === 'OggS') return { kind: 'video', format: 'ogg' };
  return { kind: 'other', format: looksLikeText(b) ? 'text' : 'unknown' };
}

function looksLikeText(b: Uint8Array): boolean {
  for (const c of b) if (c === 0 || c < 9 || (c > 13 && c < 32 && c !== 27)) return false;
  return true;
}
