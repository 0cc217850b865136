/** Exact-match index for cryptographic digests: a map from canonical hex to the ids holding it. */
import { AllianceError } from '../errors/catalogue.js';
import type { IndexMatch, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

export class ExactIndex implements SignalIndex {
  private readonly map = new Map<string, number | number[]>();
  private count = 0;

  constructor(readonly signalType: string) {}

  get size(): number {
    return this.count;
  }

  add(id: number, value: string): void {
    const cur = this.map.get(value);
    if (cur === undefined) this.map.set(value, id);
    else if (typeof cur === 'number') this.map.set(value, [cur, id]);
    else cur.push(id);
    this.count++;
  }

  remove(id: number, value: string): boolean {
    const cur = this.map.get(value);
    if (cur === undefined) return false;
    if (typeof cur === 'number') {
      if (cur !== id) return false;
      this.map.delete(value);
    } else {
      const i = cur.indexOf(id);
      if (i < 0) return false;
      cur.splice(i, 1);
      if (cur.length === 1) this.map.set(value, cur[0]);
    }
    this.count--;
    return true;
  }

  /** The id (or ids) holding `value`, without building matches: the keyword index probes many values per query. */
  idsOf(value: string): number | readonly number[] | undefined {
    return this.map.get(value);
  }

  query(value: string): IndexMatch[] {
    const cur = this.map.get(value);
    if (cur === undefined) return [];
    return (typeof cur === 'number' ? [cur] : cur).map((id) => ({ id, distance: 0 }));
  }

  stats(): Record<string, unknown> {
    return { size: this.count, distinct: this.map.size };
  }

  toSnapshot(): Snapshot {
    const ids = new Float64Array(this.count);
    const values: string[] = [];
    for (const [value, cur] of this.map) {
      for (const id of typeof cur === 'number' ? [cur] : cur) {
        ids[values.length] = id;
        values.push(value);
      }
    }
    return { signalType: this.signalType, kind: 'exact', meta: {}, sections: { ids, values: new TextEncoder().encode(values.join('\n')) } };
  }

  /** The (id, value) pairs of an exact snapshot, checked. */
  static entriesOf(snap: Snapshot): Array<[number, string]> {
    const ids = snap.sections.ids as Float64Array;
    const text = new TextDecoder().decode(snap.sections.values as Uint8Array);
    const values = text ? text.split('\n') : [];
    if (snap.kind !== 'exact' || values.length !== ids.length) throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'exact index snapshot is inconsistent');
    return values.map((v, i) => [ids[i], v]);
  }

  static fromSnapshot(snap: Snapshot): ExactIndex {
    const index = new ExactIndex(snap.signalType);
    for (const [id, v] of ExactIndex.entriesOf(snap)) index.add(id, v);
    return index;
  }
}
