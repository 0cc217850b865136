/**
 * The index of keyword signals: listed terms by skeleton (signals/keyword/skeleton.ts). A query is
 * a text: every stretch of its skeleton between two separators is looked up, so a search of a few
 * hundred characters costs a few hundred map lookups whatever the size of the list.
 */
import { candidates, skeleton } from '../signals/keyword/skeleton.js';
import { ExactIndex } from './exact-index.js';
import type { IndexMatch, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

/** The longest term skeleton a list may hold (letters). */
export const MAX_TERM_LETTERS = 100;

export class KeywordIndex implements SignalIndex {
  private readonly terms: ExactIndex;

  constructor(signalType: string, terms?: ExactIndex) {
    this.terms = terms ?? new ExactIndex(signalType);
  }

  get size(): number {
    return this.terms.size;
  }

  add(id: number, value: string): void {
    this.terms.add(id, skeleton(value).text);
  }

  remove(id: number, value: string): boolean {
    return this.terms.remove(id, skeleton(value).text);
  }

  /** Every listed term the text contains (distance 0). */
  query(text: string): IndexMatch[] {
    const seen = new Set<number>();
    const out: IndexMatch[] = [];
    for (const c of candidates(skeleton(text), MAX_TERM_LETTERS)) {
      for (const m of this.terms.query(c)) {
        if (seen.has(m.id)) continue;
        seen.add(m.id);
        out.push(m);
      }
    }
    return out;
  }

  stats(): Record<string, unknown> {
    return this.terms.stats();
  }

  /** Snapshots hold skeletons; reducing a skeleton again changes nothing. */
  toSnapshot(): Snapshot {
    return this.terms.toSnapshot();
  }

  static fromSnapshot(snap: Snapshot): KeywordIndex {
    return new KeywordIndex(snap.signalType, ExactIndex.fromSnapshot(snap));
  }
}
