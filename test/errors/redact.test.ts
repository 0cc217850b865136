/** Server paths never reach a client: messages keep the file's name only; URLs and route paths are left alone. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactServerPaths, registerServerPath } from '../../src/errors/redact.js';

describe('redactServerPaths', () => {
  registerServerPath('/srv/alliance/data');
  it.each([
    ['cannot read /srv/alliance/data/imports/3f2a.csv: no such file', 'cannot read …/3f2a.csv: no such file'],
    [`ENOENT: open '${join(tmpdir(), 'alliance-upload-x', 'upload.jpg')}'`, "ENOENT: open '…/upload.jpg'"],
    [`at ${process.cwd()}/dist/jobs/import-job.js:31`, 'at …/import-job.js:31'],
    ['the data directory /srv/alliance/data is full', 'the data directory … is full'],
  ])('%s', (text, expected) => expect(redactServerPaths(text)).toBe(expected));

  it.each([
    'no route GET /api/v1/jobs/3',
    'failed to fetch https://example.org/tmp/photo.jpg',
    `peer at http://127.0.0.1:5100${tmpdir()}/x answered`,
    'line 2: signal "zz" is not a pdq hash',
  ])('leaves %s as it is', (text) => {
    expect(redactServerPaths(text)).toBe(text);
  });
});
