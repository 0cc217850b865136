/**
 * Acceptance: `alliance hash --types pdq --format csv` on the shared fixture images reproduces
 * the reference tool's hashes (expected.csv): exact for ≥ 95 % of files, within distance 10 of
 * every reference hash of quality ≥ 80, and quality within ±2.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hammingHex } from '../../src/signals/pdq/hash256.js';
import { parseCsv, runCli } from '../support/cli.js';
import { FIXTURES, PDQ_IMAGES } from '../support/paths.js';

const expected = readFileSync(join(FIXTURES, 'pdq', 'expected.csv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((l) => {
    const [file, pdq, quality] = l.split(',');
    return { file, pdq, quality: Number(quality) };
  });

describe('PDQ conformance with the reference hasher (CLI)', () => {
  const got = new Map<string, { hash: string; quality: number }>();
  let exitCode: number | null = null;

  beforeAll(async () => {
    const r = await runCli(['hash', '--types', 'pdq', '--format', 'csv', PDQ_IMAGES]);
    exitCode = r.code;
    for (const row of parseCsv(r.stdout)) got.set(relative(PDQ_IMAGES, row.path), { hash: row.hash, quality: Number(row.quality) });
  });

  it('hashes every fixture image and exits 0', () => {
    expect(exitCode).toBe(0);
    expect([...got.keys()].sort()).toEqual(expected.map((e) => e.file).sort());
  });

  it.each(expected)('$file: within tolerance of the reference', ({ file, pdq, quality }) => {
    const mine = got.get(file);
    expect(mine, `no hash for ${file}`).toBeDefined();
    expect(Math.abs(mine!.quality - quality)).toBeLessThanOrEqual(2);
    if (quality >= 80) expect(hammingHex(mine!.hash, pdq)).toBeLessThanOrEqual(10);
  });

  it('is bit-exact for at least 95 % of the files', () => {
    const exact = expected.filter((e) => got.get(e.file)?.hash === e.pdq).length;
    expect(exact / expected.length).toBeGreaterThanOrEqual(0.95);
  });
});
