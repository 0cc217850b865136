/**
 * Decoding limits, the guard against decompression bombs and runaway inputs. Defaults are sane
 * for seized-media triage on a workstation; every one can be set per command or by environment.
 */
export interface MediaLimits {
  /** Refuse images declaring more pixels than this (width × height), before decoding. */
  maxImagePixels: number;
  /** Images up to this size are read into memory once (shared by all hashers of the file). */
  maxInMemoryBytes: number;
}

export const DEFAULT_LIMITS: Readonly<MediaLimits> = Object.freeze({
  maxImagePixels: 100_000_000,
  maxInMemoryBytes: 256 * 1024 * 1024,
});

/** Limits from the environment (`ALLIANCE_MAX_IMAGE_PIXELS`) over the defaults. */
export function limitsFromEnv(env: NodeJS.ProcessEnv = process.env): MediaLimits {
  const limits = { ...DEFAULT_LIMITS };
  const pixels = env.ALLIANCE_MAX_IMAGE_PIXELS;
  if (pixels !== undefined && pixels !== '') limits.maxImagePixels = parsePositiveInt(pixels, 'ALLIANCE_MAX_IMAGE_PIXELS');
  return limits;
}

/** Parses a positive integer (underscores and commas allowed as separators) or throws a TypeError. */
export function parsePositiveInt(text: string, what: string): number {
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) throw new TypeError(`${what} must be a positive integer, got "${text}"`);
  return n;
}
