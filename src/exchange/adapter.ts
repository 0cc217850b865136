/**
 * The one interface of an exchange (the python-threatexchange lesson): fetch deltas after a
 * checkpoint, optionally send opinions back. The Alliance peer client implements it; NCMEC,
 * ThreatExchange or StopNCII clients are one more file each.
 */
import type { Entry } from './page.js';

export interface FetchResult<Checkpoint> {
  /** Changes in order: upserts carry the item, deletes only its uid. */
  deltas: Entry[];
  checkpoint: Checkpoint;
  /** More deltas are waiting (call again with the new checkpoint). */
  more: boolean;
  /** How far the source is, to compute the lag (positions of the same kind as the checkpoint). */
  latest?: number;
}

export type Opinion = 'confirmed' | 'false_positive' | 'disputed';
export const OPINIONS: readonly Opinion[] = ['confirmed', 'false_positive', 'disputed'];

export interface ExchangeAdapter<Checkpoint> {
  readonly name: string;
  fetch(checkpoint: Checkpoint): Promise<FetchResult<Checkpoint>>;
  sendOpinion?(uid: string, opinion: Opinion, reason: string | null): Promise<void>;
}
