/**
 * vPDQ comparison as the reference defines it: drop frames below the quality filter, de-duplicate
 * identical frame hashes, count a frame as matched when any frame of the other video is within
 * the distance, and report the percentage of query frames matched and of compared frames matched.
 */
import { hammingPacked, packHex256 } from '../pdq/hash256.js';
import type { VpdqFrame } from './format.js';

export interface VpdqCompareOptions {
  /** Frames with lower quality are ignored (default 50). */
  qualityFilter?: number;
  /** A frame matches at Hamming distance ≤ this (default 31). */
  distance?: number;
  /** Match when at least this percentage of query frames matched (default 80). */
  queryThreshold?: number;
  /** …and at least this percentage of compared frames matched (default 0). */
  comparedThreshold?: number;
}

export const VPDQ_DEFAULTS = Object.freeze({ qualityFilter: 50, distance: 31, queryThreshold: 80, comparedThreshold: 0 });

export interface VpdqComparison {
  match: boolean;
  /** Percentage (0…100) of the query's usable unique frames that matched a compared frame. */
  queryMatchPercent: number;
  /** Percentage (0…100) of the compared video's usable unique frames that matched a query frame. */
  comparedMatchPercent: number;
  queryFrames: number;
  comparedFrames: number;
}

/** Usable frames (quality filter), de-duplicated by hash, packed for fast distances. */
export function prepareFrames(frames: readonly VpdqFrame[], qualityFilter: number): Uint32Array {
  const unique = new Set<string>();
  for (const f of frames) if (f.quality >= qualityFilter) unique.add(f.hash);
  const packed = new Uint32Array(unique.size * 8);
  let i = 0;
  for (const h of unique) packHex256(h, packed, 8 * i++);
  return packed;
}

/** How many frames of `a` have a frame of `b` within `distance` (packed, 8 words a frame). */
export function countMatched(a: Uint32Array, b: Uint32Array, distance: number): number {
  const na = a.length / 8;
  const nb = b.length / 8;
  let matched = 0;
  for (let i = 0; i < na; i++) {
    for (let j = 0; j < nb; j++) {
      if (hammingPacked(a, b, 8 * i, 8 * j) <= distance) {
        matched++;
        break;
      }
    }
  }
  return matched;
}

/**
 * Compares a query video's frames with another's.
 * @example compareVpdq(parseVpdq(a), parseVpdq(b)).match
 */
export function compareVpdq(query: readonly VpdqFrame[], compared: readonly VpdqFrame[], options: VpdqCompareOptions = {}): VpdqComparison {
  const o = { ...VPDQ_DEFAULTS, ...options };
  const q = prepareFrames(query, o.qualityFilter);
  const c = prepareFrames(compared, o.qualityFilter);
  const nq = q.length / 8;
  const nc = c.length / 8;
  if (nq === 0 || nc === 0) return { match: false, queryMatchPercent: 0, comparedMatchPercent: 0, queryFrames: nq, comparedFrames: nc };
  const queryMatchPercent = (countMatched(q, c, o.distance) * 100) / nq;
  const comparedMatchPercent = (countMatched(c, q, o.distance) * 100) / nc;
  return {
    match: queryMatchPercent >= o.queryThreshold && comparedMatchPercent >= o.comparedThreshold,
    queryMatchPercent,
    comparedMatchPercent,
    queryFrames: nq,
    comparedFrames: nc,
  };
}
