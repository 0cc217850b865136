import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AllianceError, ERRORS, toAllianceError } from '../../src/errors/catalogue.js';
import { REPO } from '../support/paths.js';

describe('error catalogue', () => {
  it('docs/errors.md lists exactly the catalogue, with the same statuses and meanings', () => {
    const rows = readFileSync(join(REPO, 'docs', 'errors.md'), 'utf8')
      .split('\n')
      .map((l) => /^\| `([A-Z_]+)` \| (\d+) \| (.*) \|$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], { status: Number(m[2]), meaning: m[3] }]);
    expect(Object.fromEntries(rows)).toEqual(ERRORS);
  });

  it('maps file-system errors to codes a user understands', () => {
    const enoent = Object.assign(new Error('x'), { code: 'ENOENT', syscall: 'open', path: '/x' });
    expect(toAllianceError(enoent).toJSON()).toEqual({ code: 'FILE_NOT_FOUND', message: 'no such file' });
    const eacces = Object.assign(new Error('x'), { code: 'EACCES', syscall: 'open' });
    expect(toAllianceError(eacces).code).toBe('FILE_UNREADABLE');
    expect(toAllianceError(new Error('boom')).toJSON()).toEqual({ code: 'INTERNAL', message: 'boom' });
    expect(new AllianceError('IMAGE_TOO_LARGE', 'big').status).toBe(413);
  });
});
