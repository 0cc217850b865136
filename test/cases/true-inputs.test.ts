/**
 * What members bring in comes out true (issue 14), with the real CLI on both databases:
 * - a VICS 2.0 case written the way real exporters write it (CRLF and tabs, "true" strings, the UK
 *   model with a category map, 64-bit MediaIDs, Cases with MediaFiles, Series names, victim flags,
 *   two Media sharing one MD5) is imported; its Series names become series in the registry
 *   (idempotently); a triage of the folder (identical files under two names, a corrupt file the
 *   case lists, one it does not, new files) carries exactly the case's flags, categories and series
 *   into triage.csv, triage.vics.json and the API; the triage's VICS export imported into a fresh
 *   node gives the same flags;
 * - `alliance hash` output (CSV and JSON Lines) imports as it is, one content per file with all
 *   its hashes, and the bank's VICS and CSV exports round-trip into a fresh node unchanged;
 * - triage of videos matches by vPDQ: the fixtures and a re-encoded, cropped copy are known, an
 *   unrelated generated video is new.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config/config.js';
import { openNode } from '../../src/node/node.js';
import { csvRecords, runCli } from '../support/cli.js';
import { DIALECTS, freshPgDatabase, type TestDialect } from '../support/dialects.js';
import { VIDEOS } from '../support/paths.js';

const UK_MAP = '0=vics:0,1=uk:A,2=uk:B,3=uk:C';
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A node's environment for the CLI: its data directory and, on PostgreSQL, a fresh database. */
async function nodeEnv(root: string, name: string, dialect: TestDialect): Promise<{ dir: string; env: NodeJS.ProcessEnv; url?: string }> {
  const dir = join(root, name);
  const url = dialect === 'postgres' ? await freshPgDatabase() : undefined;
  return {
    dir,
    url,
    env: { ALLIANCE_DATA_DIR: dir, ALLIANCE_MEMBER_NAME: 'hotline-uk', ALLIANCE_LOG_LEVEL: 'silent', ...(url ? { ALLIANCE_DATABASE_URL: url } : {}) },
  };
}

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const r = await runCli(args, { env });
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function noise(path: string, seed: number): Promise<Buffer> {
  const px = Buffer.alloc(72 * 72 * 3);
  for (let p = 0; p < px.length; p++) px[p] = (Math.imul(p + 1, 2654435761 + seed * 40503) >>> 24) & 0xff;
  await sharp(px, { raw: { width: 72, height: 72, channels: 3 } })
    .png()
    .toFile(path);
  return readFileSync(path);
}

/** The case file as a Windows exporter writes it: CRLF, tabs, bare 64-bit ids, "true" strings, flags omitted when false. */
function vicsCase(media: string[]): string {
  const body = media.map((m) => `\t\t\t${m}`).join(',\r\n');
  return (
    `{\r\n\t"@odata.context": "http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Cases",\r\n\t"value": [\r\n\t\t{\r\n` +
    `\t\t"CaseID": "{6F9619FF-8B86-D011-B42D-00C04FC964FF}",\r\n\t\t"CaseNumber": "UK-2026-114",\r\n\t\t"SourceApplicationName": "Exporter 9",\r\n\t\t"TotalMediaFiles": ${media.length},\r\n` +
    `\t\t"Media": [\r\n${body}\r\n\t\t]\r\n\t\t}\r\n\t]\r\n}\r\n`
  );
}

const FLAGS = ['victim_identified', 'offender_identified', 'distributed', 'self_generated', 'suspected'] as const;

describe.each(DIALECTS)('true inputs on %s', (dialect) => {
  const root = mkdtempSync(join(tmpdir(), `alliance-true-${dialect}-`));
  const seized = join(root, 'seized');
  const files: Record<string, Buffer> = {};

  beforeAll(async () => {
    mkdirSync(join(seized, 'phone'), { recursive: true });
    mkdirSync(join(seized, 'usb'), { recursive: true });
    files['phone/f1.png'] = await noise(join(seized, 'phone', 'f1.png'), 1);
    files['phone/f2.png'] = await noise(join(seized, 'phone', 'f2.png'), 2);
    files['usb/f3.png'] = await noise(join(seized, 'usb', 'f3.png'), 3);
    files['usb/fresh.png'] = await noise(join(seized, 'usb', 'fresh.png'), 4);
    copyFileSync(join(seized, 'phone', 'f1.png'), join(seized, 'usb', 'copy of f1.png')); // the same bytes under another name
    files['usb/copy of f1.png'] = files['phone/f1.png'];
    files['usb/listed-corrupt.jpg'] = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 9)]);
    files['usb/other-corrupt.jpg'] = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(300, 5)]);
    for (const name of ['usb/listed-corrupt.jpg', 'usb/other-corrupt.jpg']) writeFileSync(join(seized, name), files[name]);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('imports a real-shaped VICS case and triage carries its flags, categories and series everywhere', async () => {
    const f = files;
    const caseFile = join(root, 'case.json');
    writeFileSync(
      caseFile,
      vicsCase([
        `{"MediaID": 9007199254740993, "Category": 1, "MD5": "${md5(f['phone/f1.png']).toUpperCase()}", "VictimIdentified": "true", "Series": "Harbour", "Tags": "tag-a;tag-b", "Comments": "first note", "DateUpdated": "2021-03-04T05:06:07.000+01:00Z", "MediaFiles": [{"FileName": "f1.png", "FilePath": "C:\\\\case\\\\phone\\\\f1.png"}]}`,
        `{"MediaID": 18446744073709551000, "Category": 2, "MD5": "${md5(f['phone/f2.png'])}", "OffenderIdentified": true, "IsDistributed": "true", "SelfGenerated": "True", "Series": "Lantern", "DateUpdated": "2020-01-01T00:00:00Z"}`,
        `{"MediaID": 18446744073709551001, "Category": 2, "MD5": "${md5(f['phone/f2.png'])}", "OffenderIdentified": "true", "IsDistributed": "true", "SelfGenerated": "true", "Series": "Lantern", "DateUpdated": "2020-01-02T00:00:00Z", "MediaFiles": [{"FileName": "f2 (1).png", "FilePath": "D:\\\\dup"}]}`,
        `{"MediaID": 4711, "SHA1": "${sha1(f['usb/f3.png'])}", "IsSuspected": "true", "Tags": ["tag-c"]}`,
        `{"MediaID": "4712", "Category": 3, "MD5": "${md5(f['usb/listed-corrupt.jpg'])}", "VictimIdentified": "true", "OffenderIdentified": "true", "Series": "Harbour"}`,
      ]),
    );
    const a = await nodeEnv(root, 'node-a', dialect);
    const imported = await cli(['import', caseFile, '--bank', 'UK_CASE', '--create', '--category-map', UK_MAP], a.env);
    expect(imported).toMatch(/imported 5 items into UK_CASE .*: 5 added, 0 updated, 0 deleted; series: 2 created, 4 links added/);
    // Importing again changes nothing: no second series, no second link.
    expect(await cli(['import', caseFile, '--bank', 'UK_CASE', '--category-map', UK_MAP], a.env)).toMatch(/: 0 added, 5 updated, 0 deleted\n$/);

    const out = join(root, 'triage-a');
    expect(await cli(['triage', seized, '--out', out, '--case-number', 'UK-2026-114'], a.env)).toMatch(
      /triaged 7 files .*: 1 new, 5 known \(4 in a series, 3 with a victim identified\), 0 not relevant, 1 unreadable/,
    );
    const rows = new Map(csvRecords(readFileSync(join(out, 'triage.csv'), 'utf8')).map((r) => [r.path, r]));
    const expected: Record<
      string,
      { class: string; classification?: string; series?: string; flags?: Partial<Record<(typeof FLAGS)[number], boolean>>; tags?: string; comments?: string }
    > = {
      'phone/f1.png': {
        class: 'known',
        classification: 'uk:A',
        series: 'Harbour',
        flags: { victim_identified: true },
        tags: 'tag-a;tag-b',
        comments: 'first note',
      },
      'usb/copy of f1.png': {
        class: 'known',
        classification: 'uk:A',
        series: 'Harbour',
        flags: { victim_identified: true },
        tags: 'tag-a;tag-b',
        comments: 'first note',
      },
      'phone/f2.png': {
        class: 'known',
        classification: 'uk:B',
        series: 'Lantern',
        flags: { offender_identified: true, distributed: true, self_generated: true },
        tags: '',
        comments: '',
      },
      'usb/f3.png': { class: 'known', classification: 'vics:0', series: '', flags: { suspected: true }, tags: 'tag-c', comments: '' },
      'usb/listed-corrupt.jpg': {
        class: 'known',
        classification: 'uk:C',
        series: 'Harbour',
        flags: { victim_identified: true, offender_identified: true },
        tags: '',
        comments: '',
      },
      'usb/fresh.png': { class: 'new' },
      'usb/other-corrupt.jpg': { class: 'unreadable' },
    };
    expect([...rows.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [path, e] of Object.entries(expected)) {
      const r = rows.get(path)!;
      // Every file keeps its digests, readable or not.
      expect([r.md5, r.sha1, r.sha256], path).toEqual([md5(files[path]), sha1(files[path]), sha256(files[path])]);
      expect(r.class, path).toBe(e.class);
      if (e.class !== 'known') {
        expect(r.victim_identified, path).toBe('');
        continue;
      }
      expect([r.classification, r.series, r.tags, r.comments], path).toEqual([e.classification, e.series, e.tags, e.comments]);
      for (const flag of FLAGS) expect(r[flag], `${path} ${flag}`).toBe(String(e.flags?.[flag] ?? false));
      expect(r.victim_source, path).toMatch(/^bank UK_CASE, VICS MediaID \d+/);
      expect([r.origin, r.chain], path).toEqual(['hotline-uk/vics', 'hotline-uk']); // provenance: imported here, from a VICS file
    }
    expect(rows.get('usb/listed-corrupt.jpg')!.error).toMatch(/MEDIA_MISMATCH|IMAGE_|DECODE|corrupt|unsupported/i);
    expect(rows.get('usb/other-corrupt.jpg')!.error).not.toBe('');
    expect(rows.get('phone/f1.png')!.victim_source).toBe('bank UK_CASE, VICS MediaID 9007199254740993 at 2021-03-04T04:06:07.000Z');
    // The newer of the two Media sharing f2's MD5 is the source.
    expect(rows.get('phone/f2.png')!.offender_source).toBe('bank UK_CASE, VICS MediaID 18446744073709551001 at 2020-01-02T00:00:00.000Z');

    // The summary lists the unreadable file with its digest; a lookup of the corrupt listed file finds it by its bytes.
    expect(readFileSync(join(out, 'triage.html'), 'utf8')).toContain(`MD5 <code>${md5(files['usb/other-corrupt.jpg'])}</code>`);
    const looked = await runCli(['lookup', join(seized, 'usb', 'listed-corrupt.jpg')], { env: a.env });
    expect([looked.code, looked.stderr]).toEqual([
      0,
      expect.stringMatching(/^warning: .*listed-corrupt\.jpg: .*\[IMAGE_CORRUPT\]; looked up by md5, sha1, sha256 only\n/),
    ]);
    expect(looked.stdout).toMatch(/^md5: 1 match\n/);

    // The VICS export of the triage says the same.
    const vics = JSON.parse(readFileSync(join(out, 'triage.vics.json'), 'utf8')) as { value: Array<{ Media: Array<Record<string, unknown>> }> };
    const media = vics.value[0].Media;
    const byFile = new Map(
      media.map((m) => [
        `${(m.MediaFiles as Array<{ FilePath: string; FileName: string }>)[0].FilePath}/${(m.MediaFiles as Array<{ FileName: string }>)[0].FileName}`,
        m,
      ]),
    );
    expect(byFile.size).toBe(7); // every file has a digest, the unreadable ones too
    for (const [path, e] of Object.entries(expected)) {
      const m = byFile.get(path)!;
      expect(m.MD5, path).toBe(md5(files[path]));
      expect(m.SHA256, path).toBe(sha256(files[path]));
      if (e.class !== 'known') continue;
      expect([m.VictimIdentified, m.OffenderIdentified, m.IsDistributed, m.SelfGenerated, m.IsSuspected], path).toEqual(
        FLAGS.map((k) => e.flags?.[k] ?? false),
      );
      expect(m.Series ?? '', path).toBe(e.series);
    }

    // The API gives the same, with the source of each flag.
    const node = await openNode(loadConfig({ dataDir: a.dir, databaseUrl: a.url, logLevel: 'silent' }, {}), {});
    try {
      const app = await buildServer(node, {});
      const admin = await node.operator();
      const token = (await node.members.createToken(admin, admin.memberName!, 'admin')).token;
      const get = async (url: string) => (await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } })).json();
      const run = (await get('/api/v1/triage/runs')).runs[0];
      const items = (await get(`/api/v1/triage/runs/${run.id}/items?limit=100`)).items as Array<{
        path: string;
        class: string;
        sha256: string;
        victim_identified: boolean;
        facts: Record<string, unknown> & { sources: Record<string, { source: string }>; series_names: string[] };
      }>;
      for (const [path, e] of Object.entries(expected)) {
        const i = items.find((x) => x.path === path)!;
        expect([i.class, i.sha256], path).toEqual([e.class, sha256(files[path])]);
        if (e.class !== 'known') continue;
        for (const flag of FLAGS) expect(i.facts[flag], `${path} ${flag}`).toBe(e.flags?.[flag] ?? false);
        expect(i.facts.series_names.join(';')).toBe(e.series);
      }
      // The series registry: created once, unidentified, owned by the importing member, with their contents.
      const series = (await get('/api/v1/series')).series as Array<{ name: string; status: string; owner: { member: string }; contents: number }>;
      expect(series.map((s) => [s.name, s.status, s.owner.member, s.contents]).sort()).toEqual([
        ['Harbour', 'unidentified', 'hotline-uk', 2],
        ['Lantern', 'unidentified', 'hotline-uk', 2],
      ]);
      await app.close();
    } finally {
      await node.close();
    }

    // Round trip: the triage's VICS export, imported into a fresh node, gives the same flags.
    const b = await nodeEnv(root, 'node-b', dialect);
    await cli(['import', join(out, 'triage.vics.json'), '--bank', 'FROM_TRIAGE', '--create'], b.env);
    const outB = join(root, 'triage-b');
    await cli(['triage', seized, '--out', outB], b.env);
    const rowsB = new Map(csvRecords(readFileSync(join(outB, 'triage.csv'), 'utf8')).map((r) => [r.path, r]));
    for (const [path, e] of Object.entries(expected)) {
      if (e.class !== 'known') continue;
      const r = rowsB.get(path)!;
      expect(r.class, path).toBe('known');
      for (const flag of FLAGS) expect(r[flag], `${path} ${flag} after the round trip`).toBe(String(e.flags?.[flag] ?? false));
      expect(r.series, path).toBe(e.series);
    }
  });

  it('imports `alliance hash` output as it is, one content per file, and its exports round-trip', async () => {
    const a = await nodeEnv(root, 'hash-a', dialect);
    const csv = join(root, 'hashes.csv');
    const jsonl = join(root, 'hashes.jsonl');
    await cli(['hash', join(seized, 'phone'), join(seized, 'usb', 'f3.png'), '--out', csv], a.env);
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    expect(new Set(lines.map((l) => l.split(',').length))).toEqual(new Set([6])); // header and rows: the same columns
    // The two corrupt files fail (exit 1), with their digests in the output.
    expect((await runCli(['hash', join(seized, 'usb'), '--format', 'jsonl', '--out', jsonl], { env: a.env })).code).toBe(1);

    expect(await cli(['import', csv, '--bank', 'HASHED', '--create'], a.env)).toMatch(/^imported 3 contents into HASHED/);
    // The JSON Lines of usb/: 5 files; the two corrupt ones still have their digests.
    expect(await cli(['import', jsonl, '--bank', 'HASHED_JSONL', '--create'], a.env)).toMatch(/^imported 5 contents into HASHED_JSONL/);

    const vicsOut = join(root, 'hashed.vics.json');
    const csvOut = join(root, 'hashed.csv');
    expect(await cli(['export', 'HASHED', '--out', vicsOut], a.env)).toMatch(/^exported 3 contents of HASHED to .* s\n$/); // none skipped
    await cli(['export', 'HASHED', '--out', csvOut], a.env);

    const b = await nodeEnv(root, 'hash-b', dialect);
    await cli(['import', vicsOut, '--bank', 'FROM_VICS', '--create'], b.env);
    await cli(['import', csvOut, '--bank', 'FROM_CSV', '--create'], b.env);
    const node = await openNode(loadConfig({ dataDir: b.dir, databaseUrl: b.url, logLevel: 'silent' }, {}), {});
    try {
      const admin = await node.operator();
      const contents = async (bank: string) =>
        (await node.banks.listContent(admin, bank, { limit: 100 }))
          .map((c) =>
            c.signals
              .map((s) => `${s.signal_type}:${s.value}`)
              .sort()
              .join(' '),
          )
          .sort();
      const want = await Promise.all(
        ['phone/f1.png', 'phone/f2.png', 'usb/f3.png'].map(async (p) => [`md5:${md5(files[p])}`, `sha1:${sha1(files[p])}`, `sha256:${sha256(files[p])}`]),
      );
      for (const bank of ['FROM_VICS', 'FROM_CSV']) {
        const got = await contents(bank);
        expect(got, bank).toHaveLength(3);
        for (const [i, w] of want.entries())
          expect(
            got.some((c) => w.every((h) => c.includes(h)) && /pdq:[0-9a-f]{64}/.test(c)),
            `${bank} ${i}`,
          ).toBe(true);
      }
    } finally {
      await node.close();
    }
  });
});

// Matching, not storage: one database is enough.
describe('triage of videos', () => {
  const root = mkdtempSync(join(tmpdir(), 'alliance-true-video-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('triage matches videos by vPDQ: the fixtures and a re-encoded, cropped copy are known, an unrelated video is new', async () => {
    const a = await nodeEnv(root, 'video', 'sqlite');
    const clips = join(root, 'clips');
    mkdirSync(clips, { recursive: true });
    for (const name of ['chair-20-sd-bar.mp4', 'pattern-sd-grey-bar.mp4']) copyFileSync(join(VIDEOS, name), join(clips, name));
    // The bank: the vPDQ of the fixtures, as `alliance hash` writes it.
    const bankCsv = join(root, 'videos.csv');
    await cli(['hash', clips, '--types', 'vpdq', '--out', bankCsv], a.env);
    expect(await cli(['import', bankCsv, '--bank', 'VIDEOS', '--create'], a.env)).toMatch(/^imported 2 contents/);
    const ffmpeg = (args: string[]) => expect(spawnSync('ffmpeg', ['-v', 'error', '-y', ...args]).status).toBe(0);
    ffmpeg([
      '-i',
      join(VIDEOS, 'chair-20-sd-bar.mp4'),
      '-vf',
      'crop=trunc(iw*0.49)*2:trunc(ih*0.49)*2,scale=trunc(iw*0.35)*2:-2',
      '-c:v',
      'libx264',
      '-crf',
      '30',
      join(clips, 'chair-reencoded.mp4'),
    ]);
    ffmpeg(['-f', 'lavfi', '-i', 'mandelbrot=size=320x240:rate=10', '-t', '4', '-pix_fmt', 'yuv420p', join(clips, 'unrelated.mp4')]);
    const out = join(root, 'triage-video');
    await cli(['triage', clips, '--out', out], a.env);
    const rows = new Map(csvRecords(readFileSync(join(out, 'triage.csv'), 'utf8')).map((r) => [r.path, r]));
    expect(Object.fromEntries([...rows].map(([p, r]) => [p, [r.class, r.bank, r.signal_type]]))).toEqual({
      'chair-20-sd-bar.mp4': ['known', 'VIDEOS', expect.stringMatching(/^(vpdq|md5|sha1|sha256)$/)],
      'pattern-sd-grey-bar.mp4': ['known', 'VIDEOS', expect.stringMatching(/^(vpdq|md5|sha1|sha256)$/)],
      'chair-reencoded.mp4': ['known', 'VIDEOS', 'vpdq'],
      'unrelated.mp4': ['new', '', ''],
    });
  });
});
