/**
 * The heavy requests of the availability tests and bench:load, generated (no media is stored):
 * long vPDQ values shaped like videos (scenes of near-identical frames), and a large, cheap PNG.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';

/** A small deterministic generator (mulberry32). */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HEX = '0123456789abcdef';

function randomHash(random: () => number): string {
  let s = '';
  for (let i = 0; i < 64; i++) s += HEX[Math.floor(random() * 16)];
  return s;
}

/** `hash` with `bits` random bits flipped (a frame next to its scene's key frame). */
function flip(hash: string, bits: number, random: () => number): string {
  const digits = hash.split('');
  for (let i = 0; i < bits; i++) {
    const d = Math.floor(random() * 64);
    digits[d] = HEX[parseInt(digits[d], 16) ^ (1 << Math.floor(random() * 4))];
  }
  return digits.join('');
}

/**
 * A vPDQ value in reference lines: `frames` frames in scenes of 30 near-identical frames, drawn
 * from `scenes` scene key frames (two values made from the same scenes match each other).
 */
export function vpdqValue(frames: number, scenes: readonly string[], seed: number): string {
  const random = rng(seed);
  const lines: string[] = [];
  for (let i = 0; i < frames; i++) lines.push(`${i},100,${flip(scenes[Math.floor(i / 30) % scenes.length], 4, random)},${(i / 30).toFixed(3)}`);
  return lines.join('\n');
}

/** Scene key frames for `vpdqValue`. */
export function scenes(n: number, seed: number): string[] {
  const random = rng(seed);
  return Array.from({ length: n }, () => randomHash(random));
}

/** A PNG of `side` × `side` pixels that compresses to a few hundred kilobytes (a decompression-heavy upload). */
export async function bigPng(side: number): Promise<Buffer> {
  return sharp({ create: { width: side, height: side, channels: 3, background: { r: 40, g: 120, b: 200 } } })
    .png({ compressionLevel: 9 })
    .toBuffer();
}

/** Resident memory of a process, bytes (from /proc). */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}
