/**
 * Issue 15: matching and exchange code never special-case an algorithm. Outside src/signals/
 * (the types themselves) and src/index/ (their indexes), no source file names a concrete signal
 * type in a string literal — a switch on 'pdq' is written as a SignalType capability instead.
 * The allow-list holds the few legitimate non-switch uses, each with how many literals it has,
 * so a new one fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SIGNAL_TYPES } from '../../src/signals/registry.js';

const ROOT = join(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');
const EXEMPT_DIRS = ['src/signals/', 'src/index/'];

/** File → literals it may hold, and why they are not type switches. Keep it small. */
const ALLOWED: Record<string, { count: number; why: string }> = {
  'src/node/demo.ts': { count: 11, why: "demo data: the fixture folder 'pdq', the demo banks' signals and the demo submissions' hashes" },
  'src/exchange/formats/vics.ts': { count: 12, why: 'the VICS wire format has MD5, SHA1, SHA256 and PDQ fields of its own' },
  'src/exchange/formats/ncmec.ts': { count: 3, why: 'the NCMEC wire format names its hash fields' },
  'src/exchange/apis/fb-threatexchange.ts': { count: 6, why: "ThreatExchange's indicator types (HASH_PDQ, HASH_MD5, …) mapped to signal types" },
  'src/store/triage-repo.ts': { count: 4, why: 'triage item table columns (md5, sha1, pdq, sha256)' },
  'src/actions/submission-service.ts': { count: 1, why: 'an example in an error message' },
};

/** createHash('sha256') and the like name the digest algorithm, not a signal type. */
const DIGEST_CALL = /\b(createHash|createHmac)\(\s*(['"`])(md5|sha1|sha256)\2/g;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

/** The source without comments (block, line), close enough for this scan. */
const stripComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');

describe('no type switches outside src/signals and src/index', () => {
  const names = [...new Set([...SIGNAL_TYPES.values()].flatMap((t) => [t.name, ...(t.hma ? [t.hma.name, ...(t.hma.aliases ?? [])] : [])]))];
  const literal = new RegExp(`(['"\`])(${names.join('|')})\\1`, 'g');

  const found = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const rel = relative(ROOT, file).split('\\').join('/');
    if (EXEMPT_DIRS.some((d) => rel.startsWith(d))) continue;
    const text = stripComments(readFileSync(file, 'utf8')).replace(DIGEST_CALL, '');
    const hits = [...text.matchAll(literal)].map((m) => m[0]);
    if (hits.length) found.set(rel, hits);
  }

  it('names the types it scans for', () => {
    expect(names).toEqual(expect.arrayContaining(['pdq', 'vpdq', 'md5', 'sha1', 'sha256', 'keyword', 'video_md5']));
  });

  it('finds no concrete type name but the allowed ones', () => {
    const unexpected = [...found].filter(([f]) => !ALLOWED[f]).map(([f, hits]) => `${f}: ${hits.join(' ')}`);
    expect(unexpected, 'write a SignalType capability instead of naming a type').toEqual([]);
  });

  it('keeps each allowed file to its count (update the allow-list when one shrinks)', () => {
    const counts = Object.fromEntries(Object.keys(ALLOWED).map((f) => [f, found.get(f)?.length ?? 0]));
    expect(counts).toEqual(Object.fromEntries(Object.entries(ALLOWED).map(([f, a]) => [f, a.count])));
  });
});
