/** The Notices page's histogram of removal times: each time in exactly one bin, bounds going to the bin above. */
import { describe, expect, it } from 'vitest';
import { REMOVAL_BINS, removalDistribution } from '../../src/reporting/format.js';

describe('removalDistribution', () => {
  it('counts each time in exactly one bin, a bound in the bin it opens', () => {
    const hours = [0, 0.5, 1, 5.9, 6, 23.99, 24, 71, 72, 100, 168, 1000];
    expect(removalDistribution(hours)).toEqual([
      { bin: 'under 1 h', notices: 2 },
      { bin: '1–6 h', notices: 2 },
      { bin: '6–24 h', notices: 2 },
      { bin: '1–3 days', notices: 2 },
      { bin: '3–7 days', notices: 2 },
      { bin: 'over 7 days', notices: 2 },
    ]);
  });

  it('has every bin, empty, when nothing was removed', () => {
    expect(removalDistribution([]).map((b) => [b.bin, b.notices])).toEqual(REMOVAL_BINS.map((b) => [b.label, 0]));
  });
});
