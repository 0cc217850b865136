/**
 * Review priority (lower first): the most severe classification among the matches, then whether
 * the material is new to this node's submissions (a first sighting may be fresh distribution),
 * then how close the nearest match is. Ties go to the oldest item (the queue orders by age next).
 */
import type { LegalStatus } from '../banks/classification.js';
import type { ActionMatch } from './rules.js';

const SEVERITY: Record<LegalStatus, number> = { baseline: 0, national: 1, unknown: 2, not_illegal: 3 };

/** @example reviewPriority([{ classification: { legal: 'baseline' }, distance: 4, … }], true) // 40 */
export function reviewPriority(matches: readonly ActionMatch[], firstSighting: boolean): number {
  if (matches.length === 0) return 99_999;
  const severity = Math.min(...matches.map((m) => SEVERITY[m.classification?.legal ?? 'unknown']));
  const distance = Math.min(255, ...matches.map((m) => m.distance));
  return severity * 10_000 + (firstSighting ? 0 : 5_000) + distance * 10;
}
