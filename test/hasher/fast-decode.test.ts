/**
 * The opt-in fast decode (`--fast-decode`): large JPEGs are decoded at a reduced size by DCT
 * scaling, each such hash is labelled, the exact path stays the default, and every fixture with
 * quality ≥ 80 that the fast path reduces is within 10 bits of its exact PDQ.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastShrink } from '../../src/media/image.js';
import { getSignalType } from '../../src/signals/index.js';
import { runCli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

const pdq = getSignalType('pdq');
const bits = (a: string, b: string) => {
  let d = 0;
  for (let i = 0; i < a.length; i += 8) {
    let x = (parseInt(a.slice(i, i + 8), 16) ^ parseInt(b.slice(i, i + 8), 16)) >>> 0;
    for (; x; x &= x - 1) d++;
  }
  return d;
};
const IMAGES = join(FIXTURES, 'pdq', 'images');
const rows = readFileSync(join(FIXTURES, 'pdq', 'expected.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((r) => r.split(','));

describe('fast decode', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-fast-decode-'));
  const large = join(dir, 'large.jpg');
  const small = join(dir, 'small.jpg');
  beforeAll(async () => {
    const source = join(IMAGES, rows.find(([f]) => /\.jpg$/.test(f))![0]);
    writeFileSync(large, await sharp(source).resize(2400, 1800, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer());
    writeFileSync(small, await sharp(source).resize(400, 300, { fit: 'fill' }).jpeg({ quality: 90 }).toBuffer());
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('chooses the DCT scale that keeps the shorter side at 256 pixels or more', () => {
    expect([fastShrink(4000, 3000), fastShrink(2400, 1800), fastShrink(1024, 700), fastShrink(600, 511), fastShrink(511, 4000)]).toEqual([8, 4, 2, 1, 1]);
  });

  it('labels a reduced decode, stays exact by default, and leaves small images exact', async () => {
    const exact = await pdq.hash!({ path: large }, { maxImagePixels: 1e8 });
    const fast = await pdq.hash!({ path: large }, { maxImagePixels: 1e8, fastDecode: true });
    expect(exact.decode).toBeUndefined();
    expect(fast.decode).toBe('fast');
    expect(bits(exact.value, fast.value)).toBeLessThanOrEqual(10);
    const smallFast = await pdq.hash!({ path: small }, { maxImagePixels: 1e8, fastDecode: true });
    expect(smallFast).toEqual(await pdq.hash!({ path: small }, { maxImagePixels: 1e8 }));
  });

  it('keeps every fixture of quality ≥ 80 within 10 bits of its exact PDQ', async () => {
    let reduced = 0;
    for (const [file, expected, quality] of rows) {
      if (Number(quality) < 80) continue;
      const fast = await pdq.hash!({ path: join(IMAGES, file) }, { maxImagePixels: 1e8, fastDecode: true });
      if (fast.decode !== 'fast') {
        expect(fast.value, file).toBe(expected);
        continue;
      }
      reduced++;
      expect(bits(fast.value, expected), file).toBeLessThanOrEqual(10);
    }
    expect(reduced).toBeGreaterThan(5);
  });

  it('says which decode made each hash in the CLI output, and keeps the usual CSV without the flag', async () => {
    const csv = await runCli(['hash', large, small, '--types', 'pdq', '--fast-decode', '--jobs', '1']);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('path,type,hash,quality,frame,timestamp,decode');
    expect(lines.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-1)])).toEqual([
      [large, 'fast'],
      [small, 'exact'],
    ]);
    const jsonl = await runCli(['hash', large, '--types', 'pdq', '--fast-decode', '--format', 'jsonl']);
    expect(JSON.parse(jsonl.stdout).signals.pdq.decode).toBe('fast');
    const plain = await runCli(['hash', large, '--types', 'pdq']);
    expect(plain.stdout.split('\n')[0]).toBe('path,type,hash,quality,frame,timestamp');
  });
});
