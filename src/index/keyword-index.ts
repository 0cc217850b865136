/**
 * The index of keyword signals: listed terms by skeleton (signals/keyword/skeleton.ts). A query is
 * a text: every stretch of its skeleton between two separators, up to the longest term, is looked
 * up, so a search costs a few hundred map lookups whatever the size of the list.
 */
import { AllianceError } from '../errors/catalogue.js';
import { candidates, REDUCTION, skeleton } from '../signals/keyword/skeleton.js';
import { ExactIndex } from './exact-index.js';
import type { IndexMatch, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

export class KeywordIndex implements SignalIndex {
  private readonly terms: ExactIndex;
  /** The longest term's skeleton: queries look at stretches up to this long. */
  private longest = 0;

  constructor(signalType: string) {
    this.terms = new ExactIndex(signalType);
  }

  get size(): number {
    return this.terms.size;
  }

  add(id: number, value: string): void {
    const text = skeleton(value).text;
    this.longest = Math.max(this.longest, text.length);
    this.terms.add(id, text);
  }

  remove(id: number, value: string): boolean {
    return this.terms.remove(id, skeleton(value).text);
  }

  /** Every listed term the text contains (distance 0). */
  query(text: string): IndexMatch[] {
    const out: IndexMatch[] = [];
    const add = (id: number) => {
      if (!out.some((m) => m.id === id)) out.push({ id, distance: 0 });
    };
    for (const c of candidates(skeleton(text), this.longest)) {
      const ids = this.terms.idsOf(c);
      if (ids === undefined) continue;
      if (typeof ids === 'number') add(ids);
      else for (const id of ids) add(id);
    }
    return out;
  }

  stats(): Record<string, unknown> {
    return this.terms.stats();
  }

  /** Snapshots hold skeletons (reducing a skeleton again changes nothing) and name the reduction that made them. */
  toSnapshot(): Snapshot {
    const snap = this.terms.toSnapshot();
    return { ...snap, meta: { ...snap.meta, reduction: REDUCTION } };
  }

  /** Skeletons made by another reduction (an earlier release's look-alikes) are refused: the node rebuilds from its database. */
  static fromSnapshot(snap: Snapshot): KeywordIndex {
    if (snap.meta.reduction !== REDUCTION)
      throw new AllianceError(
        'INDEX_SNAPSHOT_INVALID',
        `keyword index snapshot made by reduction ${String(snap.meta.reduction ?? 'of an earlier release')}, this node's is ${REDUCTION}`,
      );
    const index = new KeywordIndex(snap.signalType);
    for (const [id, term] of ExactIndex.entriesOf(snap)) index.add(id, term);
    return index;
  }
}
