/**
 * The SDK as published: its own npm package (name, entry points, types, README), self-contained
 * ES modules — the client imports nothing, the worker bundles the PDQ code and needs no Node module.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../support/paths.js';

const SDK = join(REPO, 'sdk');

describe('check SDK package', () => {
  it('packs the client, the worker, the stylesheet, the types and the README', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: SDK, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
    );
    expect(pack.name).toBe('@alliance/check-sdk');
    const files = pack.files.map((f: { path: string }) => f.path);
    for (const f of [
      'dist/alliance-check.js',
      'dist/alliance-check-worker.js',
      'dist/alliance-check.css',
      'dist/types/index.d.ts',
      'README.md',
      'package.json',
    ])
      expect(files).toContain(f);
    expect(files.some((f: string) => f.startsWith('src/') || f.startsWith('demo/'))).toBe(false);
    const manifest = JSON.parse(readFileSync(join(SDK, 'package.json'), 'utf8'));
    for (const target of [manifest.exports['.'].import, manifest.exports['.'].types, manifest.exports['./worker'], manifest.exports['./style.css']])
      expect(files).toContain(target.replace(/^\.\//, ''));
    expect(readFileSync(join(SDK, 'dist', 'types', 'index.d.ts'), 'utf8')).toMatch(/export declare class AllianceCheck/);
  });

  it('builds self-contained modules: no imports, nothing from Node', () => {
    for (const f of ['alliance-check.js', 'alliance-check-worker.js']) {
      const code = readFileSync(join(SDK, 'dist', f), 'utf8');
      expect(code, f).not.toMatch(/^\s*import\s/m);
      expect(code, f).not.toMatch(/from\s+["'](node:|sharp|fs|path)/);
    }
    // The worker carries the server's PDQ implementation (its Jarosz filter and Torben median).
    const worker = readFileSync(join(SDK, 'dist', 'alliance-check-worker.js'), 'utf8');
    expect(worker).toMatch(/torbenMedian/);
    expect(worker).toMatch(/jaroszDownsample/);
  });
});
