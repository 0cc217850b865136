/**
 * Acceptance: the 8 dihedral hashes of bridge-1-original.jpg, computed from the DCT, equal the
 * reference's, and each one matches the plain hash of the correspondingly transformed image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/media/image.js';
import { DIHEDRAL_VARIANTS, type DihedralVariant } from '../../src/signals/pdq/dihedral.js';
import { hammingHex } from '../../src/signals/pdq/hash256.js';
import { PdqHasher, type PdqDihedralResult } from '../../src/signals/pdq/pdq.js';
import { parseCsv, runCli } from '../support/cli.js';
import { FIXTURES, PDQ_IMAGES } from '../support/paths.js';

const DIH = join(PDQ_IMAGES, 'reg-test-input', 'dih');
const reference = new Map(
  readFileSync(join(FIXTURES, 'pdq', 'dihedral-bridge-1-original.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','))
    .map(([variant, pdq]) => [variant, pdq]),
);
const TRANSFORMED_FILE: Record<DihedralVariant, string> = {
  original: 'bridge-1-original.jpg',
  'rotate-90': 'bridge-2-rotate-90.jpg',
  'rotate-180': 'bridge-3-rotate-180.jpg',
  'rotate-270': 'bridge-4-rotate-270.jpg',
  'flip-x': 'bridge-5-flipx.jpg',
  'flip-y': 'bridge-6-flipy.jpg',
  'flip-plus-1': 'bridge-7-flip-plus-1.jpg',
  'flip-minus-1': 'bridge-8-flip-minus-1.jpg',
};
const hasher = new PdqHasher();
const limits = { maxImagePixels: 1e8 };

describe('PDQ dihedral variants', () => {
  let dih: PdqDihedralResult;
  beforeAll(async () => {
    dih = hasher.hashImage(await decodeImage(join(DIH, 'bridge-1-original.jpg'), limits), { dihedral: true });
  });

  it('covers the reference variants', () => {
    expect([...reference.keys()].sort()).toEqual([...DIHEDRAL_VARIANTS].sort());
  });

  it.each([...DIHEDRAL_VARIANTS])('%s equals the reference (distance ≤ 10) and matches the transformed file', async (variant) => {
    expect(hammingHex(dih.dihedral[variant], reference.get(variant)!)).toBeLessThanOrEqual(10);
    const transformed = hasher.hashImage(await decodeImage(join(DIH, TRANSFORMED_FILE[variant]), limits));
    expect(hammingHex(dih.dihedral[variant], transformed.hash)).toBeLessThanOrEqual(31);
  });

  it('the original variant is the plain hash', () => {
    expect(dih.dihedral.original).toBe(dih.hash);
  });

  it('a variant of a variant composes: rotating 90° twice is rotating 180°', async () => {
    const rot90 = hasher.hashImage(await decodeImage(join(DIH, 'bridge-2-rotate-90.jpg'), limits), { dihedral: true });
    expect(hammingHex(rot90.dihedral['rotate-90'], dih.dihedral['rotate-180'])).toBeLessThanOrEqual(31);
  });

  it('alliance hash --dihedral prints all 8 as CSV rows', async () => {
    const r = await runCli(['hash', '--types', 'pdq', '--dihedral', join(DIH, 'bridge-1-original.jpg')]);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows.map((x) => x.type)).toEqual(['pdq', ...DIHEDRAL_VARIANTS.slice(1).map((v) => `pdq.${v}`)]);
    for (const row of rows) {
      const variant = row.type === 'pdq' ? 'original' : row.type.slice(4);
      expect(row.hash).toBe(dih.dihedral[variant as DihedralVariant]);
    }
  });
});
