/** Output details of `alliance hash`: formats, ordering, progress bar on a terminal, --out. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hammingHex } from '../../src/signals/pdq/hash256.js';
import { parseCsv, runCli } from '../support/cli.js';
import { CLI, PDQ_IMAGES } from '../support/paths.js';

describe('alliance hash output', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-out-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('decodes every format sharp can, to the same pixels', () => {
    const formats = ['png', 'tiff', 'webp', 'gif', 'avif'] as const;
    beforeAll(async () => {
      // An image with large flat areas, so that palette (GIF) and lossless AVIF keep its pixels.
      const src = sharp(join(PDQ_IMAGES, 'misc-images', 'wee.jpg')).resize(200, 240, { kernel: 'nearest' });
      const rgb = await src.removeAlpha().raw().toBuffer();
      const raw = { raw: { width: 200, height: 240, channels: 3 as const } };
      await sharp(rgb, raw).png().toFile(join(dir, 'img.png'));
      await sharp(rgb, raw).tiff().toFile(join(dir, 'img.tiff'));
      await sharp(rgb, raw).webp({ lossless: true }).toFile(join(dir, 'img.webp'));
      await sharp(rgb, raw).gif({ colours: 256, dither: 0 }).toFile(join(dir, 'img.gif'));
      await sharp(rgb, raw).avif({ lossless: true }).toFile(join(dir, 'img.avif'));
    });

    it('hashes PNG, TIFF, WebP, GIF and AVIF, lossless ones identically', async () => {
      const r = await runCli(['hash', '--types', 'pdq', '--format', 'jsonl', ...formats.map((f) => join(dir, `img.${f}`))]);
      expect(r.code).toBe(0);
      const recs = r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(recs.map((x) => x.format)).toEqual(['png', 'tiff', 'webp', 'gif', 'avif']);
      const png = recs[0].signals.pdq.hash;
      expect(recs[1].signals.pdq.hash).toBe(png);
      expect(recs[2].signals.pdq.hash).toBe(png);
      for (const rec of recs.slice(3)) expect(hammingHex(rec.signals.pdq.hash, png)).toBeLessThanOrEqual(10);
    });
  });

  it('keeps the walk order whatever the worker count, and writes --out', async () => {
    const one = await runCli(['hash', '--types', 'pdq,sha1', '--jobs', '1', PDQ_IMAGES]);
    const out = join(dir, 'four.csv');
    const four = await runCli(['hash', '--types', 'pdq,sha1', '--jobs', '4', '--out', out, PDQ_IMAGES]);
    expect(four.code).toBe(0);
    expect(four.stdout).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(one.stdout);
    const paths = [...new Set(parseCsv(one.stdout).map((x) => x.path))];
    expect(paths).toEqual([...paths].sort());
    expect(paths).toHaveLength(42);
  });

  it('a bad --out is a usage error before any work', async () => {
    const r = await runCli(['hash', '--out', join(dir, 'no', 'such', 'dir.csv'), PDQ_IMAGES]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write --out .*no such file \[USAGE\]/);
  });

  it('draws a progress bar when stderr is a terminal', () => {
    writeFileSync(join(dir, 'cmd.sh'), `exec env -u CI ${process.execPath} ${CLI} hash --types pdq ${PDQ_IMAGES} > /dev/null\n`);
    // `script` gives the command a pseudo-terminal and copies what it draws.
    const tty = execFileSync('script', ['-qec', `sh ${join(dir, 'cmd.sh')}`, '/dev/null'], { encoding: 'utf8' });
    // eslint-disable-next-line no-control-regex -- the terminal escape that redraws the bar is what is checked
    expect(tty).toMatch(/\r\x1b\[K\[#*-*\] +\d+% \d+\/42 files/);
    expect(tty).toMatch(/files 42, hashed 42/);
  });
});
