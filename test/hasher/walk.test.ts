import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { isProblem, walkInputs } from '../../src/hasher/walk.js';


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
});
