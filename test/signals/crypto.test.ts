/**
 * Acceptance: MD5, SHA-1 and SHA-256 equal md5sum/sha1sum/sha256sum on the fixtures and on a
 * generated 100 MB file, hashed by streaming: peak memory stays flat whatever the file size.
 */
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Signal, sha1Signal, sha256Signal } from '../../src/signals/crypto/digest.js';
import { parseCsv, runCli } from '../support/cli.js';
import { FIXTURES } from '../support/paths.js';

const TOOLS = { md5: 'md5sum', sha1: 'sha1sum', sha256: 'sha256sum' } as const;

function coreutils(tool: string, files: string[]): Map<string, string> {
  const out = execFileSync(tool, files, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return new Map(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(l.indexOf(' ') + 2), l.slice(0, l.indexOf(' '))]),
  );
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name));
}

const peakMb = (stderr: string) => Number(/peak memory (\d+) MB/.exec(stderr)?.[1]);

describe('cryptographic hashes', () => {
  it('equal the coreutils digests on every fixture file', async () => {
    const files = listFiles(FIXTURES);
    const r = await runCli(['hash', '--types', 'md5,sha1,sha256', FIXTURES]);
    expect(r.code).toBe(0);
    const rows = parseCsv(r.stdout);
    for (const [type, tool] of Object.entries(TOOLS)) {
      const want = coreutils(tool, files);
      const mine = new Map(rows.filter((x) => x.type === type).map((x) => [x.path, x.hash]));
      expect(mine).toEqual(want);
    }
  });

  describe('a generated 100 MB file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alliance-crypto-'));
    const big = join(dir, 'big.bin');
    const small = join(dir, 'small.bin');
    beforeAll(async () => {
      const out = createWriteStream(big);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < 100; i++) {
        for (let j = 0; j < chunk.length; j += 4) chunk.writeUInt32LE(Math.imul(i * chunk.length + j, 2654435761) >>> 0, j);
        if (!out.write(chunk)) await once(out, 'drain');
      }
      out.end();
      await once(out, 'close');
      writeFileSync(small, 'tiny');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('hashes like coreutils with flat memory', async () => {
      expect(statSync(big).size).toBe(100 * 1024 * 1024);
      const r = await runCli(['hash', '--format', 'jsonl', big]);
      expect(r.code).toBe(0);
      const rec = JSON.parse(r.stdout);
      for (const [type, tool] of Object.entries(TOOLS)) expect(rec.signals[type].hash).toBe(coreutils(tool, [big]).get(big));
      const baseline = await runCli(['hash', '--format', 'jsonl', small]);
      // Reading the file into memory would add 100 MB; streaming through one 1 MiB buffer adds ~nothing.
      expect(peakMb(r.stderr) - peakMb(baseline.stderr)).toBeLessThan(20);
    });
  });

  it('normalise and compare values exactly', () => {
    expect(md5Signal.normalize(' D41D8CD98F00B204E9800998ECF8427E ')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(() => sha1Signal.normalize('abc')).toThrow(/40 hex digits/);
    expect(sha256Signal.compare('a'.repeat(64), 'A'.repeat(64))).toEqual({ match: true, distance: 0 });
    expect(sha256Signal.compare('a'.repeat(64), 'b'.repeat(64)).match).toBe(false);
  });
});
