/** PDQ as a signal type: images, Hamming distance, match at ≤ 31 bits. */
import { AllianceError } from '../../errors/catalogue.js';
import { Hamming256SignalIndex, HammingIndex } from '../../index/index.js';
import { decodeImage } from '../../media/image.js';
import type { SignalType, SignalValue } from '../signal-type.js';
import { hammingHex, normalizeHash256Hex, packHex256 } from './hash256.js';
import { PDQ_MATCH_THRESHOLD, PdqHasher } from './pdq.js';

// One hasher per thread: its scratch buffers are reused from image to image.
const hasher = new PdqHasher();

function normalize(value: string): string {
  try {
    return normalizeHash256Hex(value);
  } catch {
    throw new AllianceError('SIGNAL_MALFORMED', `pdq must be 64 hex digits, got "${value.slice(0, 80)}"`);
  }
}

export const pdqSignal: SignalType = {
  name: 'pdq',
  description: "Meta's PDQ perceptual image hash (256 bits, Hamming distance, match ≤ 31)",
  media: 'image',
  comparison: 'hamming',
  defaultThreshold: PDQ_MATCH_THRESHOLD,
  // Unrelated images differ by ~128 bits (σ ≈ 8); at 64 nothing random matches, far beyond any use.
  maxThreshold: 64,
  normalize,
  compare(a, b, threshold = PDQ_MATCH_THRESHOLD) {
    const distance = hammingHex(normalize(a), normalize(b));
    return { match: distance <= threshold, distance };
  },
  retroMatch: 'index',
  recognise: (value) => /^[0-9a-fA-F]{64}$/.test(value),
  describe: (r, threshold) => `distance ${r.distance} (threshold ${threshold}) → ${r.match ? 'match' : 'no match'}`,
  primaryFor: ['image'],
  check: 'upload',
  // Random bits (openssl rand), the hash of no image.
  example: '92a9dedc713bc8b9a3b952bdb99e801d96f499ffc6f294ed256aa2750bc11217',
  hma: {
    name: 'pdq',
    listed: true,
    contentType: 'photo',
    distance: (m) => String(m.distance),
    compareDetail: (r) => ({ distance: r.distance }),
  },
  // Packed in bulk: at millions of hashes, one add per hash would grow the index many times over.
  // With the count known, straight into arrays of that size in the memory the index keeps, which
  // it then takes over (one copy of the hashes; 3.2 GB at 100 M).
  async buildIndex(pages, options) {
    const shared = options?.shared ?? false;
    const alloc = (words: number) => new Uint32Array(shared ? new SharedArrayBuffer(words * 4) : new ArrayBuffer(words * 4));
    let cap = Math.max(1024, options?.expected ?? 0);
    let packed = alloc(cap * 8);
    let ids = alloc(cap);
    let n = 0;
    for await (const page of pages) {
      for (const s of page) {
        if (n === cap) {
          // More than counted (or no count): grow by half.
          cap = Math.ceil(cap * 1.5);
          const [p, i] = [alloc(cap * 8), alloc(cap)];
          p.set(packed);
          i.set(ids);
          [packed, ids] = [p, i];
        }
        packHex256(s.value, packed, n * 8);
        ids[n++] = s.id;
      }
    }
    const exact = n === cap;
    return new Hamming256SignalIndex(
      'pdq',
      HammingIndex.fromEntries(exact ? packed : packed.subarray(0, n * 8), exact ? ids : ids.subarray(0, n), { ...options, adopt: exact }),
    );
  },
  createIndex: (options) => new Hamming256SignalIndex('pdq', new HammingIndex({ shared: options?.shared })),
  restoreIndex: (snap, options) => Hamming256SignalIndex.fromSnapshot(snap, options),
  async hash(input, ctx): Promise<SignalValue> {
    const image = await decodeImage(input.bytes ?? input.path, { maxImagePixels: ctx.maxImagePixels, autoOrient: ctx.autoOrient, fast: ctx.fastDecode });
    const r = hasher.hashImage(image, { dihedral: ctx.dihedral ?? false });
    const decode = image.reduced ? { decode: 'fast' as const } : {};
    return 'dihedral' in r ? { value: r.hash, quality: r.quality, variants: r.dihedral, ...decode } : { value: r.hash, quality: r.quality, ...decode };
  },
};
