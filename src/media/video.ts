/**
 * Video frames from ffmpeg, streamed: ffmpeg decodes and converts to RGB24 at the native size and
 * writes raw frames to a pipe; frames are yielded one at a time, so memory holds one frame no
 * matter how long the video is. Back-pressure is the pipe itself: ffmpeg waits while a frame is
 * being hashed.
 */
import { spawn } from 'node:child_process';
import { AllianceError } from '../errors/catalogue.js';
import { ffmpegPaths, lastLine, run, spawnError } from './ffmpeg.js';

export interface VideoInfo {
  width: number;
  height: number;
  /** Frames per second: the stream's average frame rate, else its base rate (as the reference). */
  frameRate: number;
  durationSeconds?: number;
  frameCount?: number;
  codec: string;
}

interface ProbeStream {
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  duration?: string;
}

function rate(text: string | undefined): number {
  if (!text) return 0;
  const [n, d = '1'] = text.split('/');
  const value = Number(n) / Number(d);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

/** Reads the first video stream's geometry and frame rate with ffprobe. */
export async function probeVideo(path: string): Promise<VideoInfo> {
  const { ffprobe } = ffmpegPaths();
  const args = [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=codec_name,width,height,avg_frame_rate,r_frame_rate,nb_frames,duration',
    '-of',
    'json',
    '--',
    path,
  ];
  const res = await run(ffprobe, args);
  if (res.code !== 0) throw new AllianceError('VIDEO_UNDECODABLE', `ffprobe cannot read the file: ${lastLine(res.stderr, path)}`);
  let streams: ProbeStream[];
  try {
    streams = (JSON.parse(res.stdout.toString('utf8')) as { streams?: ProbeStream[] }).streams ?? [];
  } catch {
    throw new AllianceError('VIDEO_UNDECODABLE', 'ffprobe returned unreadable output');
  }
  const s = streams[0];
  if (!s) throw new AllianceError('VIDEO_UNDECODABLE', 'no video stream in the file');
  const width = s.width ?? 0;
  const height = s.height ?? 0;
  if (width <= 0 || height <= 0) throw new AllianceError('VIDEO_UNDECODABLE', `video stream has no size (${width}×${height})`);
  const frameRate = rate(s.avg_frame_rate) || rate(s.r_frame_rate);
  if (!frameRate) throw new AllianceError('VIDEO_UNDECODABLE', 'video stream has no frame rate');
  const duration = Number(s.duration);
  const frames = Number(s.nb_frames);
  return {
    width,
    height,
    frameRate,
    codec: s.codec_name ?? 'unknown',
    durationSeconds: Number.isFinite(duration) ? duration : undefined,
    frameCount: Number.isInteger(frames) && frames > 0 ? frames : undefined,
  };
}

export interface Frame {
  /** Index of the frame in decoding order (0-based), as the reference numbers frames. */
  index: number;
  /** RGB24, width·3 bytes a row. Valid only until the next frame is requested. */
  rgb: Uint8Array;
}

export interface FrameOptions {
  /** Keep every `every`-th frame (1 = all). */
  every: number;
  signal?: AbortSignal;
}

/**
 * Yields the RGB frames of the first video stream at native size, one at a time.
 * Throws VIDEO_UNDECODABLE if ffmpeg fails or yields no frame.
 */
export async function* readFrames(path: string, info: VideoInfo, options: FrameOptions): AsyncGenerator<Frame> {
  const { ffmpeg } = ffmpegPaths();
  const every = Math.max(1, Math.floor(options.every));
  // Same size, RGB24, area flags and accurate rounding: the conversion that reproduces the
  // reference vPDQ hashes (plain fast rounding drifts by up to 22 bits on HD video).
  const scale = `scale=${info.width}:${info.height}:flags=area+accurate_rnd`;
  const filters = [every > 1 ? `select=not(mod(n\\,${every}))` : '', scale, 'format=rgb24'].filter(Boolean);
  const args = [
    '-nostdin',
    '-hide_banner',
    '-v',
    'error',
    '-noautorotate',
    '-i',
    path,
    '-map',
    '0:v:0',
    '-an',
    '-sn',
    '-dn',
    '-fps_mode',
    'passthrough',
    '-vf',
    filters.join(','),
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += c.toString('utf8');
  });
  const exited = new Promise<{ code: number | null; error?: AllianceError }>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) => resolve({ code: null, error: spawnError(ffmpeg, err) }));
    child.on('close', (code) => resolve({ code }));
  });
  const onAbort = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const frameBytes = info.width * info.height * 3;
  const frame = new Uint8Array(frameBytes);
  let filled = 0;
  let count = 0;
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      let offset = 0;
      while (offset < chunk.length) {
        const n = Math.min(frameBytes - filled, chunk.length - offset);
        frame.set(chunk.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === frameBytes) {
          yield { index: count * every, rgb: frame };
          count++;
          filled = 0;
        }
      }
    }
    const { code, error } = await exited;
    if (error) throw error;
    if (code !== 0) throw new AllianceError('VIDEO_UNDECODABLE', `ffmpeg cannot decode the video: ${lastLine(stderr, path)}`);
    if (count === 0) throw new AllianceError('VIDEO_UNDECODABLE', `ffmpeg decoded no frame${stderr ? `: ${lastLine(stderr, path)}` : ''}`);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}
