/**
 * Triage with the real CLI: a folder of fixture copies (known, some re-encoded and resized), an
 * allow-listed image, fresh generated images, and bad files (0 bytes, a corrupt image, a symlink
 * loop, names with a newline and invalid UTF-8, a 2 GB sparse file) is classified file by file
 * against banks and a series built from part of it; the VICS export re-imports with the same
 * classifications; an interrupted triage resumes without re-hashing finished files.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { openNode } from '../../src/node/node.js';
import { csvRecords, runCli } from '../support/cli.js';
import { PDQ_IMAGES } from '../support/paths.js';

const BRIDGE = join(PDQ_IMAGES, 'bridge-mods');
const BRIDGE_PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
const C_PNG_PDQ = 'e4cc89d91c623842f8d1f1d9a398e78c9f199a3bf87925f2b7e11e0bf061b064';

describe('alliance triage', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-triage-'));
  const data = join(dir, 'data');
  const seized = join(dir, 'seized');
  const out = join(dir, 'out');
  let seriesUid = '';

  beforeAll(async () => {
    // The banks: the bridge image (with a series whose victim is identified), and an allow-list.
    const node = await openNode(loadConfig({ dataDir: data, logLevel: 'silent' }, {}), {});
    const admin = await node.operator();
    await node.banks.createBank(admin, { name: 'KNOWN' });
    await node.banks.createBank(admin, { name: 'ALLOW', kind: 'negative' });
    const known = await node.banks.addContent(admin, 'KNOWN', { signals: [{ signal_type: 'pdq', value: BRIDGE_PDQ }], classification: 'industry:A1' });
    await node.banks.addContent(admin, 'ALLOW', { signals: [{ signal_type: 'pdq', value: C_PNG_PDQ }] });
    const s = await node.series.create(admin, { name: 'Bridge' });
    seriesUid = s.uid;
    await node.series.link(admin, s.id, [known.id]);
    await node.series.identifyVictim(admin, s.id, { identified_on: '2026-11-01' });
    await node.close();

    mkdirSync(join(seized, 'phone', 'DCIM'), { recursive: true });
    mkdirSync(join(seized, 'downloads'), { recursive: true });
    copyFileSync(join(BRIDGE, 'aaa-orig.jpg'), join(seized, 'phone', 'DCIM', 'a.jpg'));
    await sharp(join(BRIDGE, 'aaa-orig.jpg'))
      .resize(300)
      .jpeg({ quality: 60 })
      .toFile(join(seized, 'phone', 'DCIM', 'a-small.jpg')); // re-encoded, resized
    copyFileSync(join(PDQ_IMAGES, 'misc-images', 'c.png'), join(seized, 'downloads', 'c.png'));
    for (let i = 0; i < 3; i++) {
      const noise = Buffer.alloc(96 * 96 * 3);
      for (let p = 0; p < noise.length; p++) noise[p] = (p * (i + 7) * 2654435761) >>> 24;
      await sharp(noise, { raw: { width: 96, height: 96, channels: 3 } })
        .png()
        .toFile(join(seized, 'downloads', `fresh-${i}.png`));
    }
    writeFileSync(join(seized, 'empty.jpg'), '');
    writeFileSync(join(seized, 'corrupt.jpg'), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(200, 7)]));
    symlinkSync('..', join(seized, 'loop'));
    writeFileSync(join(seized, 'two\nlines.jpg'), readFileSync(join(BRIDGE, 'aaa-orig.jpg')));
    writeFileSync(
      Buffer.concat([Buffer.from(join(seized, 'bad-')), Buffer.from([0xff, 0xfe]), Buffer.from('é.jpg')]),
      readFileSync(join(BRIDGE, 'aaa-orig.jpg')),
    );
    writeFileSync(join(seized, 'disk.img'), '');
    truncateSync(join(seized, 'disk.img'), 2 * 1024 ** 3); // sparse
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let byPath: Map<string, Record<string, string>>;

  it('classifies every file, with its series and victim status; bad files are listed, not fatal', async () => {
    const r = await runCli(['triage', seized, '--out', out, '--case-number', 'CASE-17', '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^triaged 12 files in [\d.]+ s: 4 new, 4 known \(4 in a series, 4 with a victim identified\), 1 not relevant, 3 unreadable\n/);
    byPath = new Map(csvRecords(readFileSync(join(out, 'triage.csv'), 'utf8')).map((x) => [x.path, x]));
    const cls = (p: string) => byPath.get(p)?.class;
    expect(['phone/DCIM/a.jpg', 'phone/DCIM/a-small.jpg', 'two\nlines.jpg'].map(cls)).toEqual(['known', 'known', 'known']);
    expect(byPath.get('phone/DCIM/a-small.jpg')).toMatchObject({
      classification: 'industry:A1',
      legal: 'baseline',
      series: 'Bridge',
      victim_identified: 'true',
      bank: 'KNOWN',
    });
    expect(Number(byPath.get('phone/DCIM/a-small.jpg')!.distance)).toBeGreaterThan(0);
    expect(cls('downloads/c.png')).toBe('not_relevant');
    expect(['downloads/fresh-0.png', 'downloads/fresh-1.png', 'downloads/fresh-2.png'].map(cls)).toEqual(['new', 'new', 'new']);
    expect(byPath.get('empty.jpg')!.error).toMatch(/FILE_EMPTY/);
    expect(byPath.get('corrupt.jpg')!.error).toMatch(/IMAGE_CORRUPT|MEDIA_MISMATCH/);
    expect(byPath.get('loop')!.error).toMatch(/symbolic link/);
    // A name that is not UTF-8 is hashed all the same, and shown with its stray bytes escaped.
    expect(byPath.get('bad-\\xff\\xfeé.jpg')).toMatchObject({ class: 'known', series: 'Bridge' });
    // The 2 GB sparse file is read to the end (digests only: it is no image), not refused.
    expect(byPath.get('disk.img')).toMatchObject({ class: 'new', md5: 'a981130cf2b7e09f4686dc273cf7187e' });

    const html = readFileSync(join(out, 'triage.html'), 'utf8');
    expect(html).not.toMatch(/<img|data:image/);
    expect(html).toContain('data-class="new">4<');
    expect(html).toContain(`data-series="${seriesUid}"`);
    expect(html).toMatch(/<code>downloads<\/code> \(3\)/);
  });

  it('writes a VICS case that re-imports with the same classifications', async () => {
    const vics = JSON.parse(readFileSync(join(out, 'triage.vics.json'), 'utf8'));
    expect(vics['@odata.context']).toMatch(/\/US\/\$metadata#Cases$/);
    const [c] = vics.value;
    expect(c).toMatchObject({ CaseNumber: 'CASE-17', SourceApplicationName: 'Alliance triage', TotalMediaFiles: c.Media.length });
    for (const m of c.Media)
      for (const f of ['MediaID', 'Category', 'MD5', 'SHA1', 'IsPrecategorized', 'VictimIdentified', 'MediaFiles'])
        expect(m, JSON.stringify(m)).toHaveProperty(f);
    const small = c.Media.find((m: { MediaFiles: Array<{ FileName: string }> }) => m.MediaFiles[0].FileName === 'a-small.jpg');
    expect(small).toMatchObject({ Category: 1, VictimIdentified: true, Series: 'Bridge', IsPrecategorized: true, MediaFiles: [{ FilePath: 'phone/DCIM' }] });
    expect(c.Media.find((m: { MediaFiles: Array<{ FileName: string }> }) => m.MediaFiles[0].FileName === 'c.png')).toMatchObject({ Category: 0 });

    const elsewhere = join(dir, 'other-node'); // another node: the triage's own banks stay as they were
    const imported = await runCli(['import', join(out, 'triage.vics.json'), '--bank', 'FROM_TRIAGE', '--create', '--data', elsewhere]);
    expect(imported.code, imported.stderr).toBe(0);
    const node = await openNode(loadConfig({ dataDir: elsewhere, logLevel: 'silent' }, {}), {});
    const back = await node.banks.listContent(await node.operator(), 'FROM_TRIAGE', { limit: 100 });
    await node.close();
    const label = (md5: string) => back.find((b) => b.signals.some((s) => s.value === md5))?.classification?.vics ?? null;
    for (const [path, row] of byPath)
      if (row.md5 && row.class !== 'unreadable')
        expect([path, label(row.md5)]).toEqual([path, row.class === 'known' ? 1 : row.class === 'not_relevant' ? 0 : null]);
  });

  it('resumes an interrupted triage without re-hashing finished files', async () => {
    const state = join(out, 'triage-state.jsonl');
    const lines = readFileSync(state, 'utf8').trim().split('\n');
    const hashed = lines.filter((l) => JSON.parse(l).status === 'hashed');
    // As if the run had been killed after two files, mid-way through writing a third.
    writeFileSync(state, `${hashed.slice(0, 2).join('\n')}\n${hashed[2].slice(0, 40)}`);
    const r = await runCli(['triage', seized, '--out', out, '--data', data]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^triaged 12 files in [\d.]+ s \(2 from the earlier run\): 4 new, 4 known/);
    const again = await runCli(['triage', seized, '--out', out, '--data', data]);
    expect(again.stdout).toMatch(/\((\d+) from the earlier run\)/);
    expect(Number(/\((\d+) from the earlier run\)/.exec(again.stdout)![1])).toBe(hashed.length);
  });

  it('triages a hash list and refuses a missing input', async () => {
    const list = join(dir, 'hashes.txt');
    writeFileSync(list, `# from another tool\n${BRIDGE_PDQ}\nmd5,${'0'.repeat(32)}\nnot-a-hash\n`);
    const r = await runCli(['triage', list, '--out', join(dir, 'out-list'), '--data', data]);
    expect(r.stdout).toMatch(/^triaged 3 files in [\d.]+ s: 1 new, 1 known \(1 in a series, 1 with a victim identified\), 0 not relevant, 1 unreadable/);
    const missing = await runCli(['triage', join(dir, 'nothing-here'), '--out', join(dir, 'x'), '--data', data]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/no such file or folder \[FILE_NOT_FOUND\]/)]);
  });
});
