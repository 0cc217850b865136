import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { copyFileSync, readdirSync } from 'node:fs';
import { hashFile } from '../../src/hasher/hash-file.js';
import { displayName, isProblem, walkInputs, type FileEntry } from '../../src/hasher/walk.js';
import { PDQ_IMAGES, VIDEOS } from '../support/paths.js';

describe('walkInputs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'alliance-walk-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks folders recursively in byte order, skipping symlinks and FIFOs, failing missing paths', async () => {
    mkdirSync(join(dir, 'b'));
    mkdirSync(join(dir, 'a'));
    writeFileSync(join(dir, 'b', 'z.jpg'), 'z');
    writeFileSync(join(dir, 'a', 'Y.jpg'), 'yy');
    writeFileSync(join(dir, 'a', 'x.jpg'), 'x');
    symlinkSync(join(dir, 'b', 'z.jpg'), join(dir, 'a', 'link.jpg'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    const { items, files } = await walkInputs([dir, join(dir, 'missing')]);
    expect(files).toBe(3);
    expect(items.map((i) => [i.path.slice(dir.length + 1), isProblem(i) ? `${i.status}:${i.error.code}` : i.size])).toEqual([
      ['a/Y.jpg', 2],
      ['a/link.jpg', 'skipped:FILE_NOT_REGULAR'],
      ['a/x.jpg', 1],
      ['b/z.jpg', 1],
      ['fifo', 'skipped:FILE_NOT_REGULAR'],
      ['missing', 'failed:FILE_NOT_FOUND'],
    ]);
  });

  it('follows a symlink named on the command line', async () => {
    const { items } = await walkInputs([join(dir, 'a', 'link.jpg')]);
    expect(items).toEqual([{ path: join(dir, 'a', 'link.jpg'), size: 1 }]);
  });

  it('hashes files whose names (or folders) are not UTF-8, showing the stray bytes as \\xNN', async () => {
    const root = join(dir, 'bytes');
    const folder = Buffer.concat([Buffer.from(`${root}/d`), Buffer.from([0xe9]), Buffer.from('t\u00e9')]); // Latin-1 "dét" + UTF-8 "é"
    mkdirSync(folder, { recursive: true });
    const video = readdirSync(VIDEOS).find((f) => f.endsWith('.mp4'))!;
    copyFileSync(join(PDQ_IMAGES, 'misc-images', 'c.png'), Buffer.concat([folder, Buffer.from('/c'), Buffer.from([0xff]), Buffer.from('.png')]));
    copyFileSync(join(VIDEOS, video), Buffer.concat([folder, Buffer.from('/v'), Buffer.from([0xc3, 0x28]), Buffer.from('.mp4')]));
    copyFileSync(join(PDQ_IMAGES, 'misc-images', 'c.png'), join(root, 'c.png'));
    copyFileSync(join(VIDEOS, video), join(root, 'v.mp4'));
    const { items } = await walkInputs([root]);
    expect(items.map((i) => i.path.slice(root.length + 1))).toEqual(['c.png', 'd\\xe9t\u00e9/c\\xff.png', 'd\\xe9t\u00e9/v\\xc3(.mp4', 'v.mp4']);
    const request = { types: [], maxImagePixels: 1e8, maxInMemoryBytes: 1e8, autoOrient: false, secondsPerHash: 1, dihedral: false };
    const results = await Promise.all(items.map((i) => hashFile(i as FileEntry, request)));
    expect(results.map((r) => r.status)).toEqual(['hashed', 'hashed', 'hashed', 'hashed']);
    expect(results[1].signals).toEqual(results[0].signals); // the same image under a byte name
    expect(results[2].signals.vpdq?.value).toBe(results[3].signals.vpdq?.value); // ffmpeg reads it too
    expect(results[2].signals.vpdq?.value.length).toBeGreaterThan(0);
    expect(displayName(Buffer.from('plain name.jpg'))).toBe('plain name.jpg');
    // A name holding the text "\xff" does not display like a name holding the byte 0xff.
    expect(displayName(Buffer.from('p\\xff.txt'))).toBe('p\\\\xff.txt');
    expect(displayName(Buffer.concat([Buffer.from('p'), Buffer.from([0xff]), Buffer.from('.txt')]))).toBe('p\\xff.txt');
  });
});
