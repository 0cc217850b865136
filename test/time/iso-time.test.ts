/** Strict ISO 8601 parsing (time/iso-time.ts): what it accepts, and the usual form's short way giving what the full one does. */
import { describe, expect, it } from 'vitest';
import { parseIsoTime } from '../../src/time/iso-time.js';
import { seededRandom } from '../support/random.js';

describe('parseIsoTime', () => {
  it.each([
    ['2026-07-01T12:00:00+02:00', Date.UTC(2026, 6, 1, 10)],
    ['2026-07-01T12:00:00Z', Date.UTC(2026, 6, 1, 12)],
    ['2026-07-01 12:00', Date.UTC(2026, 6, 1, 12)],
    ['2026-07-01', Date.UTC(2026, 6, 1)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2026-02-29T00:00:00Z', undefined], // not a leap year
    ['2026-02-31T12:00:00Z', undefined],
    ['2026-13-01T12:00:00Z', undefined],
    ['2026-01-01T25:00:00Z', undefined],
    ['-5', undefined],
    ['March 7', undefined],
  ])('%s → %s', (text, ms) => expect(parseIsoTime(text)).toBe(ms));

  it('reads the usual form (2026-01-31T12:00:00Z) exactly as the same time written with an offset', () => {
    const random = seededRandom(0x68e31da4);
    const rnd = (n: number) => Math.floor(random() * n);
    const two = (n: number) => String(n).padStart(2, '0');
    let valid = 0;
    for (let i = 0; i < 20_000; i++) {
      // Out-of-range days, months, hours, minutes and seconds as well as real ones.
      const [y, mo, d, h, mi, s] = [1990 + rnd(50), rnd(14), rnd(33), rnd(26), rnd(62), rnd(62)];
      const body = `${y}-${two(mo)}-${two(d)}T${two(h)}:${two(mi)}:${two(s)}`;
      const usual = parseIsoTime(`${body}Z`);
      expect(usual, body).toBe(parseIsoTime(`${body}+00:00`));
      if (usual !== undefined) valid++;
    }
    expect(valid).toBeGreaterThan(5_000);
  });
});
