/**
 * Where ffmpeg and ffprobe are: `ALLIANCE_FFMPEG` (and optionally `ALLIANCE_FFPROBE`) or the
 * Debian packages on PATH. They are spawned directly, never through a shell.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';

export interface FfmpegPaths {
  ffmpeg: string;
  ffprobe: string;
}

/** The configured binaries; ffprobe defaults to the one beside an overridden ffmpeg. */
export function ffmpegPaths(env: NodeJS.ProcessEnv = process.env): FfmpegPaths {
  const ffmpeg = env.ALLIANCE_FFMPEG || 'ffmpeg';
  const ffprobe = env.ALLIANCE_FFPROBE || (env.ALLIANCE_FFMPEG && ffmpeg.includes('/') ? join(dirname(ffmpeg), 'ffprobe') : 'ffprobe');
  return { ffmpeg, ffprobe };
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Runs a binary to completion, collecting its output (for short commands such as ffprobe). */
export function run(bin: string, args: string[], maxOutputBytes = 16 * 1024 * 1024): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      outBytes += c.length;
      if (outBytes <= maxOutputBytes) out.push(c);
      else child.kill('SIGKILL');
    });
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 64 * 1024) stderr += c.toString('utf8');
    });
    child.on('error', (err: NodeJS.ErrnoException) => reject(spawnError(bin, err)));
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr }));
  });
}

/** The catalogue error for a binary that could not be started. */
export function spawnError(bin: string, err: NodeJS.ErrnoException): AllianceError {
  if (err.code === 'ENOENT' || err.code === 'EACCES') {
    return new AllianceError('FFMPEG_MISSING', `cannot run "${bin}" (${err.code}); install ffmpeg (apt-get install -y ffmpeg) or set ALLIANCE_FFMPEG`, {
      cause: err,
    });
  }
  return new AllianceError('INTERNAL', `cannot run "${bin}": ${err.message}`, { cause: err });
}

/** The last meaningful line of ffmpeg's stderr for error messages, without the input's path. */
export function lastLine(stderr: string, path?: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const line = lines.at(-1) ?? 'no diagnostic from ffmpeg';
  return path && line.startsWith(`${path}: `) ? line.slice(path.length + 2) : line;
}
