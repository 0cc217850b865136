/**
 * vPDQ hashing: PDQ of every frame, or of one frame per `secondsPerHash`, of the first video
 * stream, at native resolution, streamed from ffmpeg.
 */
import { probeVideo, readFrames } from '../../media/video.js';
import { PdqHasher } from '../pdq/pdq.js';
import type { VpdqFrame } from './format.js';

export interface VpdqHashOptions {
  /** One hash per this many seconds; 0 hashes every frame. Default 1. */
  secondsPerHash?: number;
  /** Called after each hashed frame with the count so far and the expected total (progress). */
  onFrame?: (hashed: number, expected?: number) => void;
  signal?: AbortSignal;
  hasher?: PdqHasher;
}

/** Which frames the reference keeps: every trunc(secondsPerHash · fps)-th, at least every one. */
export function frameInterval(secondsPerHash: number, frameRate: number): number {
  return Math.max(1, Math.trunc(secondsPerHash * frameRate));
}

/**
 * Hashes a video file.
 * @example const frames = await hashVideo('clip.mp4', { secondsPerHash: 0 });
 */
export async function hashVideo(path: string, options: VpdqHashOptions = {}): Promise<VpdqFrame[]> {
  const info = await probeVideo(path);
  const every = frameInterval(options.secondsPerHash ?? 1, info.frameRate);
  const hasher = options.hasher ?? new PdqHasher();
  const fps = Math.fround(info.frameRate);
  const expected = info.frameCount ? Math.ceil(info.frameCount / every) : undefined;
  const frames: VpdqFrame[] = [];
  for await (const { index, rgb } of readFrames(path, info, { every, signal: options.signal })) {
    const { hash, quality } = hasher.hashFrame(rgb, info.width, info.height);
    const frame = { frame: index, quality, hash, timestamp: Math.fround(index / fps) };
    frames.push(frame);
    options.onFrame?.(frames.length, expected);
  }
  return frames;
}
