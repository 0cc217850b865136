/**
 * One registry of file formats: a file's content decides its format before its name does (real
 * exporters name files freely), every format imported as items has a reader and every format
 * export writes has a writer, a bundle given to `import` is sent to `bundle import`, and a file
 * of no known format is refused naming the formats.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BANK_WRITERS, codecOf, ENTRY_READERS, exportCodecOf, FILE_CODECS } from '../../src/exchange/index.js';
import { runCli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'alliance-codecs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const md5 = (n: number) => n.toString(16).padStart(32, '0');
const vics = JSON.stringify({
  '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media',
  value: [{ MediaID: 1, Category: 1, MD5: md5(0xa1) }],
});
const jsonl = `${JSON.stringify({ path: 'a.bin', size: 3, media: 'other', status: 'hashed', signals: { md5: { hash: md5(0xb2) } } })}\n`;

describe('the format registry', () => {
  it('has a reader for every format imported as items and a writer for every format exported', () => {
    for (const c of FILE_CODECS) {
      if (c.import === 'entries') expect(ENTRY_READERS[c.name], c.name).toBeTypeOf('function');
      if (c.exports) expect(BANK_WRITERS[c.name], c.name).toBeTypeOf('function');
    }
    expect(Object.keys(ENTRY_READERS).sort()).toEqual(
      FILE_CODECS.filter((c) => c.import === 'entries')
        .map((c) => c.name)
        .sort(),
    );
    expect(Object.keys(BANK_WRITERS).sort()).toEqual(
      FILE_CODECS.filter((c) => c.exports)
        .map((c) => c.name)
        .sort(),
    );
  });

  it("tells a file's format from its content before its name", async () => {
    expect((await codecOf(file('media-export.txt', `\uFEFF\r\n  ${vics}`))).name).toBe('vics');
    expect((await codecOf(file('hashes.json', jsonl))).name).toBe('jsonl');
    expect((await codecOf(file('page.dat', readFileSync(join(FIXTURES, 'ncmec', 'entries-page-1.xml'), 'utf8')))).name).toBe('ncmec');
    expect((await codecOf(file('list.txt', `signal_type,signal\nmd5,${md5(1)}\n`))).name).toBe('csv');
    expect((await codecOf(file('peer.dat', `{"format":"alliance-bundle","version":1}\n`))).name).toBe('bundle');
    // no content it knows: the extension decides; neither: a clear refusal naming the formats
    expect((await codecOf(file('empty.csv', ''))).name).toBe('csv');
    await expect(codecOf(file('notes.txt', 'placeholder text'))).rejects.toThrow(
      /cannot tell the format of .*notes\.txt.*--format bundle\|vics\|ncmec\|jsonl\|csv/,
    );
    await expect(codecOf(file('x.csv', ''), 'excel')).rejects.toThrow(/unknown format "excel"/);
    expect(exportCodecOf('out.csv').name).toBe('csv');
    expect(exportCodecOf('out.json').name).toBe('vics');
    expect(() => exportCodecOf('out.xml', 'ncmec')).toThrow(/unknown format "ncmec" \(known: vics, csv\)/);
  });

  it('imports files whose names do not say their format, and sends a bundle to `bundle import`', async () => {
    const data = ['--data', join(dir, 'node')];
    expect((await runCli(['bank', 'create', 'FILES', ...data])).code).toBe(0);
    const v = await runCli(['import', file('case-12.txt', vics), '--bank', 'FILES', ...data]);
    expect(v.stderr).toBe('');
    expect(v.stdout).toMatch(/imported 1 items into FILES .*1 added/);
    const j = await runCli(['import', file('hashed.json', jsonl), '--bank', 'FILES', ...data]);
    expect(j.stdout).toMatch(/imported 1 contents into FILES/);
    const n = await runCli(['import', file('ncmec-page', readFileSync(join(FIXTURES, 'ncmec', 'entries-page-2.xml'), 'utf8')), '--bank', 'FILES', ...data]);
    expect(n.stdout).toMatch(/imported 1 items into FILES/);
    const b = await runCli(['import', file('from-peer.json', `{"format":"alliance-bundle","version":1}\n`), '--bank', 'FILES', ...data]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/signed bundle from a peer: import it with `alliance bundle import`/);
    const listed = await runCli(['bank', 'list', '--json', ...data]);
    expect(listed.stdout).toMatch(/"content_count": 3/);
  });
});
