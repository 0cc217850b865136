/**
 * Keyword signals: the evasion table (test/signals/keyword-evasion.csv — neutral placeholder terms
 * only) — every evasion variant of a listed term matches that term, no innocent near-miss matches
 * anything (genuine words of other scripts among them); the look-alike table generated from Unicode's
 * confusables data holds what the reduction can use; terms are validated; the index survives a
 * snapshot; keywords are never hashed from files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeywordIndex } from '../../src/index/keyword-index.js';
import { LETTERS, SYMBOLS } from '../../src/signals/keyword/lookalikes.js';
import { REDUCTION, skeleton } from '../../src/signals/keyword/skeleton.js';
import { getSignalType } from '../../src/signals/registry.js';
import { REPO } from '../support/paths.js';

/** The table: term,text,expected,why (fields quoted when they hold commas). */
function table(): Array<{ term: string; text: string; expected: string; why: string }> {
  const lines = readFileSync(join(REPO, 'test', 'signals', 'keyword-evasion.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
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

  it('the table holds at least 85 evasion variants and 70 innocent near-misses', () => {
    expect(rows.filter((r) => r.expected === 'match').length).toBeGreaterThanOrEqual(85);
    expect(rows.filter((r) => r.expected === 'no match').length).toBeGreaterThanOrEqual(70);
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

  it('reads look-alikes by the generated table: keys as the reduction sees them, readings a–z', () => {
    const keys = new Set<string>();
    const wrong: string[] = [];
    for (const group of [LETTERS, SYMBOLS]) {
      for (const [reading, chars] of Object.entries(group)) {
        if (!/^[a-z]+$/.test(reading)) wrong.push(`reading ${reading}`);
        for (const c of chars) {
          // One character, not ASCII, unchanged by decomposition and lower case, not a mark; in one group only.
          const ok = [...c].length === 1 && c.codePointAt(0)! > 0x7f && c.normalize('NFKD') === c && c.toLowerCase() === c && !/\p{M}/u.test(c) && !keys.has(c);
          if (!ok) wrong.push(`${c} U+${c.codePointAt(0)!.toString(16)}`);
          keys.add(c);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(keys.size).toBeGreaterThan(500);
    expect(skeleton('ᴍᴏᴏɴ').text).toBe('mon'); // small capitals
    expect(skeleton('МООН').text).toBe('moh'); // Cyrillic capitals, lowered first: м reads m, о o, н h
    expect(skeleton('дом').text).toBe('дom'); // д looks like no Latin letter: it stays itself
    // Regional indicators are letters, each a word of its own (a flag does not lengthen the word before it).
    const flags = skeleton('moon🇲🇴🇴🇳');
    expect(flags.text).toBe('monmon');
    expect(flags.starts).toEqual([true, false, false, true, true, true]);
    // Symbols and other scripts' digits that look like letters read so only between two letters.
    expect(skeleton('a×b').text).toBe('axb');
    expect(skeleton('2 × 2').text).toBe('');
    expect(skeleton('৪ b').text).toBe('b');
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
    expect(
      small
        .query('a bad dog on a cold day', 0)
        .map((m) => m.id)
        .sort(),
    ).toEqual([1, 2, 3]); // bad|dog and cold|day share a letter
    expect(small.query('baddog', 0)).toEqual([]);
    const long = 'abcdefghijk '.repeat(15).trim();
    small.add(9, keyword.normalize(long));
    expect(small.query(`see ${long} here`, 0).map((m) => m.id)).toEqual([9]);
    expect(small.query('\ufdfa'.repeat(2000), 0)).toEqual([]); // one ligature is 18 letters: bounded, answered at once
  });

  it('keeps its terms through a snapshot made by the same reduction, and is never hashed from a file', async () => {
    const snap = index.toSnapshot();
    expect(snap.meta.reduction).toBe(REDUCTION);
    expect(() => keyword.restoreIndex({ ...snap, meta: {} })).toThrow(expect.objectContaining({ code: 'INDEX_SNAPSHOT_INVALID' })); // an earlier release's skeletons
    const restored = keyword.restoreIndex(snap);
    expect(restored.size).toBe(terms.length);
    expect(restored.query('buy f0rb1dd3n term', 0).map((m) => terms[m.id - 1])).toEqual(['forbiddenterm']);
    expect(index.remove(1, 'forbiddenterm')).toBe(true);
    expect(found('forbiddenterm')).toEqual([]);
    index.add(1, 'forbiddenterm');
    await expect(keyword.hash({ path: '/dev/null' }, { maxImagePixels: 1 })).rejects.toThrow(/not computed from files/);
    expect(keyword.media).toBe('text');
  });
});
