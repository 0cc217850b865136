/** vPDQ as a signal type: videos, frame-set comparison, match when ≥ 80 % of query frames match. */
import { AllianceError } from '../../errors/catalogue.js';
import { FrameIndex, ThreadedFrameIndex } from '../../index/index.js';
import type { SignalType } from '../signal-type.js';
import { compareVpdq, VPDQ_DEFAULTS } from './compare.js';
import { countFrameLines, formatVpdq, parseVpdq } from './format.js';
import { hashVideo } from './hash.js';

function parse(value: string) {
  const frames = parseVpdq(value);
  if (frames.length === 0) throw new AllianceError('SIGNAL_MALFORMED', 'vpdq value has no frame line');
  return frames;
}

export const vpdqSignal: SignalType = {
  name: 'vpdq',
  description: "Meta's vPDQ video hash (PDQ per frame; match when ≥ 80 % of the query's frames are within 31 bits)",
  media: 'video',
  comparison: 'frames',
  defaultThreshold: VPDQ_DEFAULTS.queryThreshold,
  maxThreshold: 100, // a percentage of query frames (candidates need a frame within 31 bits anyway)
  costly: true,
  units: countFrameLines,
  normalize: (value) => formatVpdq(parse(value)),
  // A looked-up value is parsed by the index itself, which on a server runs on its own thread:
  // parsing 45,000 frames here would hold the thread that serves HTTP.
  normalizeQuery(value) {
    const v = value.trim();
    if (!v) throw new AllianceError('SIGNAL_MALFORMED', 'vpdq value has no frame line');
    return v;
  },
  compare(a, b, threshold = VPDQ_DEFAULTS.queryThreshold) {
    const r = compareVpdq(parse(a), parse(b), { queryThreshold: threshold });
    return {
      match: r.match,
      distance: 100 - r.queryMatchPercent,
      detail: {
        queryMatchPercent: r.queryMatchPercent,
        comparedMatchPercent: r.comparedMatchPercent,
        queryFrames: r.queryFrames,
        comparedFrames: r.comparedFrames,
      },
    };
  },
  retroMatch: 'index',
  // A reference vPDQ text: "frame,quality,pdqhex,timestamp" lines.
  recognise: (value) => /^\d+,\d+,[0-9a-fA-F]{64},/.test(value),
  describe(r, threshold) {
    const d = r.detail ?? {};
    return `${d.queryMatchPercent.toFixed(1)} % of ${d.queryFrames} query frames and ${d.comparedMatchPercent.toFixed(1)} % of ${d.comparedFrames} compared frames matched (threshold ${threshold} %) → ${r.match ? 'match' : 'no match'}`;
  },
  primaryFor: ['video'],
  hma: {
    name: 'vpdq',
    listed: true,
    contentType: 'video',
    // HMA: a JSON array of "pdqhex,quality,timestamp" strings; Alliance's own line form is accepted too.
    fromHma(value) {
      let items: unknown;
      try {
        items = JSON.parse(value);
      } catch {
        return value;
      }
      if (!Array.isArray(items) || items.some((x) => typeof x !== 'string'))
        throw new AllianceError('SIGNAL_MALFORMED', 'vpdq must be a JSON array of "pdqhex,quality,timestamp" strings');
      return (items as string[])
        .map((item, frame) => {
          const [hash, quality, timestamp] = item.split(',');
          return `${frame},${quality},${hash},${timestamp}`;
        })
        .join('\n');
    },
    toHma: (value) => JSON.stringify(parseVpdq(value).map((f) => `${f.hash},${f.quality},${f.timestamp.toFixed(3)}`)),
    distance: (m) => (m.detail ? `${m.detail.queryMatchPercent.toFixed(0)}%[${m.detail.comparedMatchPercent.toFixed(0)}%]` : '-'),
    compareDetail: (r) => ({ compared_match_percent: r.detail!.comparedMatchPercent, query_match_percent: r.detail!.queryMatchPercent }),
  },
  createIndex: (options) =>
    options?.ownThread
      ? new ThreadedFrameIndex('vpdq', { maxQueued: options.ownThread.maxQueued, maxFrames: options.ownThread.maxUnits })
      : new FrameIndex('vpdq'),
  restoreIndex: (snap, options) =>
    options?.ownThread
      ? new ThreadedFrameIndex('vpdq', { maxQueued: options.ownThread.maxQueued, maxFrames: options.ownThread.maxUnits }, snap)
      : FrameIndex.fromSnapshot(snap),
  async hash(input, ctx) {
    const frames = await hashVideo(input.path, {
      secondsPerHash: ctx.secondsPerHash ?? 1,
      signal: ctx.signal,
      onFrame: (done, expected) => expected && ctx.onProgress?.(Math.min(1, done / expected)),
    });
    return { value: formatVpdq(frames), frames };
  },
};
