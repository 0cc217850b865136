/**
 * Keyword signals: the evasion table (test/signals/keyword-evasion.csv — neutral placeholder terms
 * only) — every evasion variant of a listed term matches that term, no innocent near-miss matches
 * anything; terms are validated; the index survives a snapshot; keywords are never hashed from files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeywordIndex } from '../../src/index/keyword-index.js';
import { skeleton } from '../../src/signals/keyword/skeleton.js';
import { getSignalType } from '../../src/signals/registry.js';
import { REPO } from '../support/paths.js';

/** The table: term,text,expected,why (fields quoted when they hold commas). */
function table(): Array<{ term: string; text: string; expected: string; why: string }> {
  const lines = readFileSync(join(REPO, 'test', 'signals', 'keyword-evasion.csv'), 'utf8').trim().split('\n').slice(1);
  return lines.map((line) => {
    const fields = [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1].replace(/^"|"$/g, '').replace(/""/g, '"'));
    return { term: fields[0], text: fields[1], expected: fields[2], why: fields[3] };
  });
}

describe('keyword signals', () => {
  const keyword = getSignalType('keyword');
  const rows = table();
  const terms = [...new Set(rows.map((r) => r.term))];
  const index = keyword.createIndex() as KeywordIndex;
  terms.forEach((t, i) => index.add(i + 1, keyword.normalize(t)));
  const found = (text: string) => index.query(keyword.normalize(text)).map((m) => terms[m.id - 1]);

  it('the table holds at least 40 evasion variants and 40 innocent near-misses', () => {
    expect(rows.filter((r) => r.expected === 'match').length).toBeGreaterThanOrEqual(40);
    expect(rows.filter((r) => r.expected === 'no match').length).toBeGreaterThanOrEqual(40);
    expect(rows.every((r) => r.expected === 'match' || r.expected === 'no match')).toBe(true);
  });

  it('matches every evasion variant to its term', () => {
    const misses = rows.filter((r) => r.expected === 'match' && !found(r.text).includes(r.term));
    expect(misses.map((r) => `${r.why}: ${JSON.stringify(r.text)}`)).toEqual([]);
  });

  it('matches no innocent near-miss to any term', () => {
    const hits = rows.filter((r) => r.expected === 'no match' && found(r.text).length > 0);
    expect(hits.map((r) => `${JSON.stringify(r.text)} → ${found(r.text).join(', ')}`)).toEqual([]);
  });

  it('validates terms and compares them by their reduced form', () => {
    expect(keyword.normalize('  Forbidden\n\tterm ')).toBe('Forbidden term');
    expect(() => keyword.normalize('ab')).toThrow(/at least 3 letters/);
    expect(() => keyword.normalize('!!! ??? 🔥')).toThrow(/at least 3 letters/);
    expect(() => keyword.normalize('x'.repeat(2001))).toThrow(/1 to 2000 characters/);
    expect(keyword.compare('forbiddenterm', 'F0RB1DD3N TERM')).toEqual({ match: true, distance: 0 });
    expect(keyword.compare('forbiddenterm', 'forbiddenterms').match).toBe(false);
    expect(skeleton('Straße').text).toBe('strase'); // ß → ss, and the run of s is one
  });

  it('finds words that meet on the same letter, and terms of any length', () => {
    const small = keyword.createIndex();
    ['bad', 'dog', 'cold day'].forEach((t, i) => small.add(i + 1, keyword.normalize(t)));
    expect(small.query('a bad dog on a cold day', 0).map((m) => m.id).sort()).toEqual([1, 2, 3]); // bad|dog and cold|day share a letter
    expect(small.query('baddog', 0)).toEqual([]);
    const long = 'abcdefghijk '.repeat(15).trim();
    small.add(9, keyword.normalize(long));
    expect(small.query(`see ${long} here`, 0).map((m) => m.id)).toEqual([9]);
    expect(small.query('\ufdfa'.repeat(2000), 0)).toEqual([]); // one ligature is 18 letters: bounded, answered at once
  });

  it('keeps its terms through a snapshot, and is never hashed from a file', async () => {
    const restored = keyword.restoreIndex(index.toSnapshot());
    expect(restored.size).toBe(terms.length);
    expect(restored.query('buy f0rb1dd3n term', 0).map((m) => terms[m.id - 1])).toEqual(['forbiddenterm']);
    expect(index.remove(1, 'forbiddenterm')).toBe(true);
    expect(found('forbiddenterm')).toEqual([]);
    index.add(1, 'forbiddenterm');
    await expect(keyword.hash({ path: '/dev/null' }, { maxImagePixels: 1 })).rejects.toThrow(/not computed from files/);
    expect(keyword.media).toBe('text');
  });
});
