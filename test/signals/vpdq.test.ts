/**
 * Acceptance: vPDQ frame hashes of every shared video agree with the reference `.vpdq.txt`
 * (frames of reference quality ≥ 50: mean distance ≤ 6, none above 20), and the comparison
 * matches each video with itself but not the pattern video with the chair video.
 */
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { hammingHex } from '../../src/signals/pdq/hash256.js';
import { compareVpdq } from '../../src/signals/vpdq/compare.js';
import { formatVpdq, parseVpdq, type VpdqFrame } from '../../src/signals/vpdq/format.js';
import { frameInterval, hashVideo } from '../../src/signals/vpdq/hash.js';
import { runCli } from '../support/cli.js';
import { VIDEOS } from '../support/paths.js';

const videos = readdirSync(VIDEOS)
  .filter((f) => f.endsWith('.mp4'))
  .sort();
const reference = (video: string) => parseVpdq(readFileSync(join(VIDEOS, video.replace(/\.mp4$/, '.vpdq.txt')), 'utf8'));

describe('vPDQ hashing (CLI, every frame)', () => {
  const got = new Map<string, VpdqFrame[]>();
  let exitCode: number | null = null;
  const outDir = mkdtempSync(join(tmpdir(), 'alliance-vpdq-'));

  beforeAll(async () => {
    const r = await runCli(['hash', '--types', 'vpdq', '--seconds-per-hash', '0', '--format', 'jsonl', '--vpdq-dir', outDir, VIDEOS]);
    exitCode = r.code;
    for (const line of r.stdout.trim().split('\n')) {
      const rec = JSON.parse(line) as { path: string; signals: { vpdq?: { frames: VpdqFrame[] } } };
      if (rec.signals.vpdq) got.set(basename(rec.path), rec.signals.vpdq.frames);
    }
  });

  it('hashes every video and exits 0', () => {
    expect(exitCode).toBe(0);
    expect([...got.keys()]).toEqual(videos);
  });

  it.each(videos)('%s: every frame agrees with the reference', (video) => {
    const ref = reference(video);
    const mine = got.get(video)!;
    expect(mine.map((f) => f.frame)).toEqual(ref.map((f) => f.frame));
    expect(mine.map((f) => f.timestamp.toFixed(3))).toEqual(ref.map((f) => f.timestamp.toFixed(3)));
    const distances = ref.flatMap((r, i) => (r.quality >= 50 ? [hammingHex(mine[i].hash, r.hash)] : []));
    expect(distances.length).toBeGreaterThan(0);
    expect(distances.reduce((a, b) => a + b, 0) / distances.length).toBeLessThanOrEqual(6);
    expect(Math.max(...distances)).toBeLessThanOrEqual(20);
    mine.forEach((f, i) => expect(Math.abs(f.quality - ref[i].quality)).toBeLessThanOrEqual(2));
  });

  it.each(videos)('%s: --vpdq-dir writes the reference text form', (video) => {
    const text = readFileSync(join(outDir, `${video}.vpdq.txt`), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^0,\d+,[0-9a-f]{64},0\.000$/);
    expect(parseVpdq(text)).toEqual(parseVpdq(formatVpdq(got.get(video)!)));
  });
});

describe('vPDQ comparison', () => {
  it.each(videos)('%s matches itself (CLI compare of the file with its reference hash file)', async (video) => {
    const r = await runCli(['compare', join(VIDEOS, video), join(VIDEOS, video.replace(/\.mp4$/, '.vpdq.txt')), '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ type: 'vpdq', match: true });
    expect(out.queryMatchPercent).toBeGreaterThanOrEqual(80);
  });

  it('pattern and chair do not match (either way round)', async () => {
    const pattern = reference('pattern-sd-grey-bar.mp4');
    const chair = reference('chair-20-sd-bar.mp4');
    expect(compareVpdq(pattern, chair).match).toBe(false);
    expect(compareVpdq(chair, pattern).match).toBe(false);
    const r = await runCli(['compare', join(VIDEOS, 'pattern-sd-grey-bar.mp4'), join(VIDEOS, 'chair-20-sd-bar.mp4')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/→ no match/);
  });

  it('reports percentages both ways for a clip inside a longer video', () => {
    const chair = reference('chair-20-sd-bar.mp4');
    const clip = chair.slice(100, 200);
    const r = compareVpdq(clip, chair);
    expect(r.match).toBe(true);
    expect(r.queryMatchPercent).toBe(100);
    expect(r.comparedMatchPercent).toBeLessThan(80);
    expect(compareVpdq(chair, clip).match).toBe(false);
  });

  it('filters low-quality frames and de-duplicates identical hashes', () => {
    const h = 'a'.repeat(64);
    const frames = [
      { frame: 0, quality: 100, hash: h, timestamp: 0 },
      { frame: 1, quality: 100, hash: h, timestamp: 0.033 },
      { frame: 2, quality: 10, hash: 'b'.repeat(64), timestamp: 0.067 },
    ];
    const r = compareVpdq(frames, frames);
    expect(r.queryFrames).toBe(1);
    expect(r.match).toBe(true);
    expect(compareVpdq(frames.slice(2), frames).queryFrames).toBe(0);
    expect(compareVpdq(frames.slice(2), frames).match).toBe(false);
  });
});

describe('vPDQ frame selection and format', () => {
  it('hashes one frame per second by default, numbered as in the full video', async () => {
    const video = 'doorknob-hd-no-bar.mp4';
    const ref = reference(video);
    const frames = await hashVideo(join(VIDEOS, video));
    expect(frameInterval(1, 30)).toBe(30);
    expect(frames.map((f) => f.frame)).toEqual(ref.filter((f) => f.frame % 30 === 0).map((f) => f.frame));
    frames.forEach((f) => expect(hammingHex(f.hash, ref[f.frame].hash)).toBeLessThanOrEqual(20));
  });

  it('parses the reference form and rejects malformed lines with the line number', () => {
    const text = readFileSync(join(VIDEOS, 'pattern-sd-grey-bar.vpdq.txt'), 'utf8');
    expect(formatVpdq(parseVpdq(text))).toBe(text.trim());
    expect(() => parseVpdq('0,100,zz,0.000')).toThrow(/line 1: hash is not 64 hex digits/);
    expect(() => parseVpdq(`\n0,100,${'a'.repeat(64)}`)).toThrow(/line 2/);
    expect(() => parseVpdq(`0,101,${'a'.repeat(64)},0.000`)).toThrow(/quality/);
  });
});
