import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

describe('alliance --help', () => {
  it.each([[[]], [['hash']], [['compare']], [['types']]])('alliance %j --help prints usage and exits 0', async (cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: alliance/);
    expect(r.stdout).toContain('--data <dir>');
  });

  it('lists the registered signal types', async () => {
    const r = await runCli(['types', '--data', '/nonexistent']);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['pdq', 'vpdq', 'md5', 'sha1', 'sha256', 'keyword']);
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
