/**
 * bench:hash — how close PDQ hashing is to the decoding floor.
 * Usage: npm run bench:hash [-- FOLDER] [--decodes N]
 * Hashes every image of FOLDER (default: the shared fixture images), repeated until at least N
 * (default 500) decodes per mode, single-threaded, files already in memory, and prints images/s
 * for (a) decode only through sharp and (b) decode + PDQ, and the ratio of their times b/a.
 * The two modes alternate image by image so that machine noise hits both alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { join, resolve } from 'node:path';
import { sniff } from '../src/media/detect.js';
import { decodeImage } from '../src/media/image.js';
import { DEFAULT_LIMITS } from '../src/media/limits.js';
import { PdqHasher } from '../src/signals/pdq/pdq.js';

const args = process.argv.slice(2);
const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const folder = resolve(
  args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--')) ?? join(import.meta.dirname, '..', '..', 'shared', 'fixtures', 'pdq', 'images'),
);
const minDecodes = Number(flag('--decodes') ?? 500);

const images = readdirSync(folder, { recursive: true, withFileTypes: true })
  .filter((d) => d.isFile())
  .map((d) => readFileSync(join(d.parentPath, d.name)))
  .filter((b) => sniff(b).kind === 'image');
if (images.length === 0) throw new Error(`no images in ${folder}`);

const limits = { maxImagePixels: DEFAULT_LIMITS.maxImagePixels };
const hasher = new PdqHasher();
const rounds = Math.ceil(minDecodes / images.length);

async function round(): Promise<{ decode: number; hash: number }> {
  let decode = 0;
  let hash = 0;
  for (const img of images) {
    let t = performance.now();
    await decodeImage(img, limits);
    decode += performance.now() - t;
    t = performance.now();
    hasher.hashImage(await decodeImage(img, limits));
    hash += performance.now() - t;
  }
  return { decode, hash };
}

await round(); // warm-up: JIT, libvips caches
let decodeMs = 0;
let hashMs = 0;
for (let r = 0; r < rounds; r++) {
  const { decode, hash } = await round();
  decodeMs += decode;
  hashMs += hash;
}
const n = rounds * images.length;
const ratio = hashMs / decodeMs;
console.log(`bench:hash  ${new Date().toISOString()}  ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, ${platform()} ${release()}, node ${process.version}`);
console.log(`folder ${folder}: ${images.length} images, ${n} decodes per mode, one thread`);
console.log(`(a) decode only (sharp)  ${(n / (decodeMs / 1000)).toFixed(1)} images/s  ${(decodeMs / n).toFixed(2)} ms/image`);
console.log(`(b) decode + PDQ         ${(n / (hashMs / 1000)).toFixed(1)} images/s  ${(hashMs / n).toFixed(2)} ms/image`);
console.log(`PDQ alone ≈ ${((hashMs - decodeMs) / n).toFixed(2)} ms/image (reference C++: ~1.8 ms per decoded photo on a desktop i7)`);
console.log(`ratio b/a = ${ratio.toFixed(3)} (target ≤ 1.5)`);
