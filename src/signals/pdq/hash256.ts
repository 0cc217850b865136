/**
 * 256-bit hashes (PDQ) in the reference layout: bit `k` of the hash lives in bit `k & 15` of the
 * 16-bit word `k >> 4`, and the hex form prints the words from the last to the first
 * (`w[15] … w[0]`), as Meta's reference tools do. Hamming distance works on the hex order packed
 * into eight 32-bit words, which gives the same distance without reordering.
 */

/** Sixteen 16-bit words, reference layout. */
export type Hash256Words = Uint16Array;

export const HASH256_HEX_LENGTH = 64;
const HEX_RE = /^[0-9a-f]{64}$/;

/** Sets bit `k` (0…255) of a reference-layout hash. */
export function setBit(words: Hash256Words, k: number): void {
  words[k >> 4] |= 1 << (k & 15);
}

/** Formats reference-layout words as 64 lowercase hex digits, `w[15]` first. */
export function wordsToHex(words: Hash256Words): string {
  let hex = '';
  for (let i = 15; i >= 0; i--) hex += words[i].toString(16).padStart(4, '0');
  return hex;
}

/** Parses 64 hex digits (any case) into reference-layout words. Throws on malformed input. */
export function hexToWords(hex: string): Hash256Words {
  const h = normalizeHash256Hex(hex);
  const words = new Uint16Array(16);
  for (let i = 0; i < 16; i++) words[15 - i] = parseInt(h.slice(i * 4, i * 4 + 4), 16);
  return words;
}

/**
 * Validates and lower-cases a 256-bit hex hash.
 * @example normalizeHash256Hex('D8F8…22') // 'd8f8…22'
 */
export function normalizeHash256Hex(hex: string): string {
  const h = hex.trim().toLowerCase();
  if (!HEX_RE.test(h)) throw new TypeError(`not a 256-bit hex hash (64 hex digits): "${hex.slice(0, 80)}"`);
  return h;
}

/** Packs 64 hex digits into eight 32-bit words (hex order), the form the distance functions use. */
export function packHex256(hex: string, out: Uint32Array = new Uint32Array(8), offset = 0): Uint32Array {
  const h = normalizeHash256Hex(hex);
  for (let i = 0; i < 8; i++) out[offset + i] = parseInt(h.slice(i * 8, i * 8 + 8), 16) >>> 0;
  return out;
}

/** Number of set bits of a 32-bit integer. */
export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/** Hamming distance between two packed 256-bit hashes (eight 32-bit words each). */
export function hammingPacked(a: Uint32Array, b: Uint32Array, aOffset = 0, bOffset = 0): number {
  let d = 0;
  for (let i = 0; i < 8; i++) d += popcount32((a[aOffset + i] ^ b[bOffset + i]) >>> 0);
  return d;
}

/**
 * Hamming distance between two hex hashes.
 * @example hammingHex('00…00', '00…01') // 1
 */
export function hammingHex(a: string, b: string): number {
  return hammingPacked(packHex256(a), packHex256(b));
}
