/** The exact and frame indexes, and the registry's index factories, against their references. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ExactIndex } from '../../src/index/exact-index.js';
import { FrameIndex } from '../../src/index/frame-index.js';
import { compareVpdq } from '../../src/signals/vpdq/compare.js';
import { parseVpdq } from '../../src/signals/vpdq/format.js';
import { SIGNAL_TYPES } from '../../src/signals/registry.js';
import { VIDEOS } from '../support/paths.js';

const references = readdirSync(VIDEOS)
  .filter((f) => f.endsWith('.vpdq.txt'))
  .sort()
  .map((f) => readFileSync(join(VIDEOS, f), 'utf8'));

describe('ExactIndex', () => {
  it('maps values to every id holding them, and forgets removed ones', () => {
    const index = new ExactIndex('md5');
    const a = 'a'.repeat(32);
    index.add(1, a);
    index.add(2, a);
    index.add(3, 'b'.repeat(32));
    expect(index.query(a)).toEqual([
      { id: 1, distance: 0 },
      { id: 2, distance: 0 },
    ]);
    expect(index.remove(1, a)).toBe(true);
    expect(index.remove(1, a)).toBe(false);
    expect(index.query(a)).toEqual([{ id: 2, distance: 0 }]);
    expect(index.size).toBe(2);
    const restored = ExactIndex.fromSnapshot(index.toSnapshot());
    expect(restored.query(a)).toEqual([{ id: 2, distance: 0 }]);
    expect(restored.size).toBe(2);
  });
});

describe('FrameIndex (vPDQ)', () => {
  const index = new FrameIndex('vpdq');
  references.forEach((text, id) => index.add(id + 1, text));

  it('returns exactly the videos compareVpdq matches, with the same percentages', () => {
    let found = 0;
    references.forEach((text) => {
      const frames = parseVpdq(text);
      const clip = frames.slice(0, Math.floor(frames.length / 3));
      const clipText = clip.map((f) => `${f.frame},${f.quality},${f.hash},${f.timestamp.toFixed(3)}`).join('\n');
      for (const query of [text, clipText]) {
        const got = index.query(query, 80).sort((a, b) => a.id - b.id);
        const want = references
          .map((ref, j) => ({ id: j + 1, r: compareVpdq(parseVpdq(query), parseVpdq(ref)) }))
          .filter(({ r }) => r.match)
          .map(({ id, r }) => ({
            id,
            distance: 100 - r.queryMatchPercent,
            detail: { queryMatchPercent: r.queryMatchPercent, comparedMatchPercent: r.comparedMatchPercent },
          }));
        expect(got).toEqual(want);
        found += got.length;
      }
    });
    expect(found).toBeGreaterThanOrEqual(2 * references.length); // every video and its clip find at least the video
  });

  it('drops removed videos and survives a snapshot', () => {
    const copy = FrameIndex.fromSnapshot(index.toSnapshot());
    expect(copy.size).toBe(references.length);
    expect(copy.remove(1)).toBe(true);
    expect(copy.query(references[0], 80).map((m) => m.id)).not.toContain(1);
    expect(index.query(references[0], 80).map((m) => m.id)).toContain(1);
  });
});

describe('signal type index factories', () => {
  it('every registered type creates and restores its index', () => {
    const samples: Record<string, string> = {
      pdq: 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22',
      vpdq: references[0],
      md5: 'c'.repeat(32),
      sha1: 'd'.repeat(40),
      sha256: 'e'.repeat(64),
      keyword: 'forbiddenterm',
    };
    for (const type of SIGNAL_TYPES.values()) {
      const index = type.createIndex();
      index.add(9, samples[type.name]);
      const restored = type.restoreIndex(index.toSnapshot());
      expect(
        restored.query(samples[type.name], type.defaultThreshold).map((m) => m.id),
        type.name,
      ).toEqual([9]);
    }
  });
});
