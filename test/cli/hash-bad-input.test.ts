/**
 * Acceptance: bad input never crashes `alliance hash` and never stops the run. Each bad file gets
 * a per-file error with its reason; exit status 0 when everything hashed, 1 when some files
 * failed (the summary names them), 2 for usage errors.
 */
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv, runCli, type CliResult } from '../support/cli.js';
import { PDQ_IMAGES } from '../support/paths.js';

const GOOD = join(PDQ_IMAGES, 'bridge-mods', 'aaa-orig.jpg');

/** CRC-32 of PNG chunks. */
function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A small, valid-looking PNG whose header declares width × height pixels. */
function pngBomb(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  const row = Buffer.alloc(1 + width * 3); // one row of zeros; the rest would decompress from nothing
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(row)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const isRoot = process.getuid?.() === 0;
/** Root reads any file; drop the capabilities that let it, so "unreadable" means unreadable. */
const asUser = isRoot ? { wrap: ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--'] } : {};

describe('alliance hash on bad input', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-bad-'));
  const files = {
    good: join(dir, 'a-good.jpg'),
    empty: join(dir, 'b-empty.jpg'),
    truncated: join(dir, 'c-truncated.jpg'),
    text: join(dir, 'd-text.jpg'),
    bomb: join(dir, 'e-bomb.png'),
    unreadable: join(dir, 'f-unreadable.jpg'),
    badVideo: join(dir, 'g-broken.mp4'),
    notes: join(dir, 'h-notes.txt'),
  };
  let run: CliResult;
  let rows: Array<Record<string, string>>;

  beforeAll(async () => {
    copyFileSync(GOOD, files.good);
    writeFileSync(files.empty, '');
    const jpeg = readFileSync(GOOD);
    writeFileSync(files.truncated, jpeg.subarray(0, Math.floor(jpeg.length / 3)));
    writeFileSync(files.text, 'this is not an image, only some words\n');
    writeFileSync(files.bomb, pngBomb(100_000, 100_000));
    copyFileSync(GOOD, files.unreadable);
    chmodSync(files.unreadable, 0o000);
    writeFileSync(files.badVideo, Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from('ftypisom'), Buffer.alloc(4000, 0x5a)]));
    writeFileSync(files.notes, 'plain notes\n');
    run = await runCli(['hash', '--types', 'pdq,vpdq,md5', dir], asUser);
    rows = parseCsv(run.stdout);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('hashes the good files, exits 1 and summarises', () => {
    expect(run.code).toBe(1);
    expect(rows.filter((r) => r.path === files.good).map((r) => r.type)).toEqual(['pdq', 'md5']);
    expect(rows.filter((r) => r.path === files.notes).map((r) => r.type)).toEqual(['md5']);
    expect(run.stderr).toMatch(/files 8, hashed 2, skipped 0, failed 6,/);
  });

  it.each([
    ['empty', 'FILE_EMPTY', /empty file/],
    ['truncated', 'IMAGE_CORRUPT', /damaged or truncated/],
    ['text', 'MEDIA_MISMATCH', /named like an image but the content is text/],
    ['bomb', 'IMAGE_TOO_LARGE', /100000×100000 .* above the limit/],
    ['unreadable', 'FILE_UNREADABLE', /permission denied/],
    ['badVideo', 'VIDEO_UNDECODABLE', /ffprobe cannot read|ffmpeg/],
  ] as const)('%s file: one error line with its reason, and listed in the summary', (key, code, reason) => {
    const path = files[key];
    const lines = run.stderr.split('\n').filter((l) => l.startsWith(`error: ${path}:`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`[${code}]`);
    expect(lines[0]).toMatch(reason);
    expect(run.stderr).toMatch(new RegExp(`failed files \\(6\\):[\\s\\S]*  ${path}: `));
  });

  it('reports failures as JSON records too, with the digests that could be computed', async () => {
    const r = await runCli(['hash', '--format', 'jsonl', files.truncated, files.good]);
    expect(r.code).toBe(1);
    const [bad, good] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(bad).toMatchObject({ status: 'failed', error: { code: 'IMAGE_CORRUPT' }, media: 'image', format: 'jpeg' });
    expect(bad.signals.md5.hash).toMatch(/^[0-9a-f]{32}$/);
    expect(good).toMatchObject({ status: 'hashed' });
  });

  it('by default a file gets the hash its name promises, so a mislabelled one fails', async () => {
    const r = await runCli(['hash', files.text]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: ${files.text}: named like an image but the content is text [MEDIA_MISMATCH]`);
  });

  it('the pixel limit is configurable', async () => {
    const r = await runCli(['hash', '--types', 'pdq', '--max-pixels', '1000', files.good]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1600×1004 = 1,606,400 pixels, above the limit of 1,000 .*IMAGE_TOO_LARGE/);
    const env = await runCli(['hash', '--types', 'pdq', files.good], { env: { ALLIANCE_MAX_IMAGE_PIXELS: '1000' } });
    expect(env.code).toBe(1);
  });

  it('a missing path fails that path only', async () => {
    const r = await runCli(['hash', '--types', 'md5', join(dir, 'nope.jpg'), files.good]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nope\.jpg: .*no such file \[FILE_NOT_FOUND\]/);
    expect(parseCsv(r.stdout).map((x) => x.path)).toEqual([files.good]);
  });

  it('skips symlinks inside folders and files no requested type applies to', async () => {
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    symlinkSync('/etc/passwd', join(sub, 'link.jpg'));
    copyFileSync(files.notes, join(sub, 'notes.txt'));
    const r = await runCli(['hash', '--types', 'pdq', sub]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/files 2, hashed 0, skipped 2, failed 0/);
    expect(r.stdout.trim()).toBe('path,type,hash,quality,frame,timestamp');
  });

  it('exits 0 when everything hashed', async () => {
    const r = await runCli(['hash', GOOD]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/files 1, hashed 1, skipped 0, failed 0/);
  });

  it.each([
    [['hash', '--types', 'pdq,nosuch', GOOD], /unknown signal type "nosuch"/],
    [['hash', '--format', 'xml', GOOD], /--format must be one of csv, jsonl/],
    [['hash', '--jobs', '0', GOOD], /--jobs must be a positive integer/],
    [['hash'], /missing required argument/],
    [['hash', '--bogus', GOOD], /unknown option '--bogus'/],
    [['nosuchcommand'], /unknown command/],
  ])('usage error %j exits 2 with a clear message', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('prints no progress bar when stderr is not a terminal', () => {
    expect(run.stderr).not.toContain('\r');
  });
});
