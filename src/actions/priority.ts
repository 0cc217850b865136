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

export type UrgencyLevel = 'urgent' | 'high' | 'normal' | 'low';

/**
 * A review priority in words: the level a person reads and the reason it has (the inverse of
 * reviewPriority's encoding).
 * @example describePriority(40) // { level: 'urgent', reason: 'baseline-illegal classification, new to this node, nearest match at distance 4' }
 */
export function describePriority(priority: number): { level: UrgencyLevel; reason: string } {
  if (priority >= 99_999) return { level: 'low', reason: 'no match recorded' };
  const severity = Math.floor(priority / 10_000);
  const rest = priority % 10_000;
  const fresh = rest < 5_000;
  const distance = Math.round((rest % 5_000) / 10);
  const classified = [
    'baseline-illegal classification',
    'nationally illegal classification',
    'unclassified or unknown legal status',
    'classified as not illegal',
  ][Math.min(severity, 3)];
  const level: UrgencyLevel = severity === 0 ? (fresh ? 'urgent' : 'high') : severity === 1 ? 'high' : severity === 2 ? 'normal' : 'low';
  return { level, reason: `${classified}, ${fresh ? 'new to this node' : 'seen here before'}, nearest match at distance ${distance}` };
}
