/**
 * vPDQ's index: every usable frame (quality ≥ 50, de-duplicated) of every indexed video in one
 * Hamming index, so a query video costs one frame lookup per query frame, not one comparison per
 * indexed video. Videos reaching the query-frame threshold are then scored both ways exactly as
 * `compareVpdq` does (same quality filter, de-duplication and distance), so results equal it.
 */
import { AllianceError } from '../errors/catalogue.js';
import { countMatched, prepareFrames, VPDQ_DEFAULTS } from '../signals/vpdq/compare.js';
import { parseVpdq } from '../signals/vpdq/format.js';
import { HammingIndex } from './hamming-index.js';
import type { IndexMatch, SignalIndex } from './signal-index.js';
import type { Snapshot } from './snapshot.js';

interface Video {
  frames: Uint32Array;
  frameIds: number[];
}

export class FrameIndex implements SignalIndex {
  private readonly frames = new HammingIndex();
  private frameVideo = new Float64Array(1024);
  private nextFrameId = 0;
  private readonly videos = new Map<number, Video>();

  constructor(readonly signalType: string) {}

  get size(): number {
    return this.videos.size;
  }

  private addPacked(id: number, frames: Uint32Array): void {
    this.remove(id); // adding an id again replaces it
    const frameIds: number[] = [];
    for (let f = 0; f < frames.length / 8; f++) {
      const fid = this.nextFrameId++;
      if (fid === this.frameVideo.length) {
        const bigger = new Float64Array(fid * 2);
        bigger.set(this.frameVideo);
        this.frameVideo = bigger;
      }
      this.frameVideo[fid] = id;
      this.frames.add(fid, frames, f * 8);
      frameIds.push(fid);
    }
    this.videos.set(id, { frames, frameIds });
  }

  add(id: number, value: string): void {
    this.addPacked(id, prepareFrames(parseVpdq(value), VPDQ_DEFAULTS.qualityFilter));
  }

  remove(id: number): boolean {
    const video = this.videos.get(id);
    if (!video) return false;
    video.frameIds.forEach((fid, f) => this.frames.remove(fid, video.frames.subarray(f * 8, f * 8 + 8)));
    this.videos.delete(id);
    return true;
  }

  /** Videos whose frames cover at least `threshold` % of the query's usable frames. */
  query(value: string, threshold: number = VPDQ_DEFAULTS.queryThreshold): IndexMatch[] {
    const q = prepareFrames(parseVpdq(value), VPDQ_DEFAULTS.qualityFilter);
    const nq = q.length / 8;
    if (nq === 0) return [];
    const hits = new Map<number, number>();
    for (let f = 0; f < nq; f++) {
      const seen = new Set<number>();
      for (const m of this.frames.query(q.subarray(f * 8, f * 8 + 8), VPDQ_DEFAULTS.distance)) seen.add(this.frameVideo[m.id]);
      for (const v of seen) hits.set(v, (hits.get(v) ?? 0) + 1);
    }
    const out: IndexMatch[] = [];
    for (const [id, matched] of hits) {
      const queryMatchPercent = (matched * 100) / nq;
      if (queryMatchPercent < threshold) continue;
      const video = this.videos.get(id)!;
      const comparedMatchPercent = (countMatched(video.frames, q, VPDQ_DEFAULTS.distance) * 100) / (video.frames.length / 8);
      out.push({ id, distance: 100 - queryMatchPercent, detail: { queryMatchPercent, comparedMatchPercent } });
    }
    return out;
  }

  stats(): Record<string, unknown> {
    return { size: this.videos.size, frames: this.frames.size };
  }

  toSnapshot(): Snapshot {
    const ids = new Float64Array(this.videos.size);
    const counts = new Uint32Array(this.videos.size);
    let total = 0;
    for (const v of this.videos.values()) total += v.frames.length;
    const frames = new Uint32Array(total);
    let i = 0;
    let at = 0;
    for (const [id, v] of this.videos) {
      ids[i] = id;
      counts[i++] = v.frames.length / 8;
      frames.set(v.frames, at);
      at += v.frames.length;
    }
    return { signalType: this.signalType, kind: 'frames', meta: {}, sections: { ids, counts, frames } };
  }

  /** Throws INDEX_SNAPSHOT_INVALID unless `snap` is a consistent frame index snapshot. */
  static checkSnapshot(snap: Snapshot): void {
    const { ids, counts, frames } = snap.sections as { ids?: Float64Array; counts?: Uint32Array; frames?: Uint32Array };
    if (snap.kind !== 'frames' || !ids || !counts || !frames || ids.length !== counts.length || counts.reduce((a, b) => a + b, 0) * 8 !== frames.length) {
      throw new AllianceError('INDEX_SNAPSHOT_INVALID', 'frame index snapshot is inconsistent');
    }
  }

  static fromSnapshot(snap: Snapshot): FrameIndex {
    FrameIndex.checkSnapshot(snap);
    const { ids, counts, frames } = snap.sections as { ids: Float64Array; counts: Uint32Array; frames: Uint32Array };
    const index = new FrameIndex(snap.signalType);
    let at = 0;
    ids.forEach((id, i) => {
      index.addPacked(id, frames.slice(at, at + counts[i] * 8));
      at += counts[i] * 8;
    });
    return index;
  }
}
