/**
 * Heavy work of the server, off the thread that serves HTTP and within limits, so `/health` and
 * small lookups stay fast while it runs:
 * - uploads and fetched media are hashed on the compute threads (a bounded pool with a queue);
 * - images are decoded only while the pixels in flight stay within the decode budget: each upload
 *   reserves its declared width × height (read from the header, nothing decoded) and waits for
 *   room, so 16 uploads of 9000 × 9000 decode a few at a time instead of 2 GB at once;
 * - comparisons of costly signal types (long vPDQ values) run on the compute threads too.
 * Work that would wait behind more than `maxQueued` others is refused at once with SERVER_BUSY
 * (503, Retry-After).
 */
import sharp from 'sharp';
import { AllianceError } from '../errors/catalogue.js';
import type { FileResult, HashRequest } from '../hasher/hash-file.js';
import type { FileEntry } from '../hasher/walk.js';
import type { CompareResult, SignalType } from '../signals/index.js';
import { Busy, WorkerPool } from './worker-pool.js';

export interface ComputeLimits {
  /** Compute threads. */
  threads: number;
  /** Tasks (or decodes waiting for budget) that may wait; more are refused with SERVER_BUSY. */
  maxQueued: number;
  /** Pixels of images being decoded at once, at most (one image above it still runs alone). */
  decodePixelBudget: number;
  /** Seconds a refused client is told to wait. */
  retryAfterS?: number;
}

interface Waiter {
  pixels: number;
  resolve: () => void;
}

export class ComputeService {
  private poolOnce: WorkerPool | undefined;
  private pixelsInFlight = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly limits: ComputeLimits) {}

  /** The threads, started on first use (a CLI command that never hashes an upload starts none). */
  private get pool(): WorkerPool {
    return (this.poolOnce ??= new WorkerPool(this.limits.threads, { maxQueued: this.limits.maxQueued, retryAfterS: this.limits.retryAfterS ?? 5 }));
  }

  /** Pixels of images decoding now, and decodes waiting for room (for metrics and tests). */
  get decoding(): { pixels: number; waiting: number } {
    return { pixels: this.pixelsInFlight, waiting: this.waiting.length };
  }

  /** The pixels a file will decode to, from its header (0 for what is not an image). */
  private async declaredPixels(path: string): Promise<number> {
    try {
      // The first frame only is decoded (animations included). A CMYK image takes 4 bytes a pixel
      // decoded and 3 more converted: counted as 7/3 of an RGB pixel.
      const { width = 0, height = 0, space } = await sharp(path, { limitInputPixels: false }).metadata();
      return Math.ceil(width * height * (space === 'cmyk' ? 7 / 3 : 1));
    } catch {
      return 0; // a video, or not decodable: the hash itself says so
    }
  }

  private async reserve(pixels: number): Promise<number> {
    // An image larger than the whole budget runs alone; the pixel limit refuses bombs from the header.
    const want = Math.min(pixels, this.limits.decodePixelBudget);
    if (want === 0) return 0;
    if (this.waiting.length === 0 && this.pixelsInFlight + want <= this.limits.decodePixelBudget) {
      this.pixelsInFlight += want;
      return want;
    }
    if (this.waiting.length >= this.limits.maxQueued) {
      const wait = this.limits.retryAfterS ?? 5;
      throw new Busy(
        `the node is decoding as many images as its budget allows (${Math.round(this.pixelsInFlight / 1e6)} MP, ${this.waiting.length} waiting): retry in ${wait} s`,
        wait,
      );
    }
    await new Promise<void>((resolve) => this.waiting.push({ pixels: want, resolve }));
    return want;
  }

  private release(pixels: number): void {
    this.pixelsInFlight -= pixels;
    // First come, first served: the head of the queue goes as soon as it fits.
    while (this.waiting.length && this.pixelsInFlight + this.waiting[0].pixels <= this.limits.decodePixelBudget) {
      const next = this.waiting.shift()!;
      this.pixelsInFlight += next.pixels;
      next.resolve();
    }
  }

  /** Hashes a file on a compute thread, within the decode budget. */
  async hash(entry: FileEntry, request: HashRequest): Promise<FileResult> {
    const pixels = request.maxImagePixels > 0 ? await this.declaredPixels(entry.path) : 0;
    const reserved = await this.reserve(pixels > request.maxImagePixels ? 0 : pixels);
    try {
      return await this.pool.hash(entry, request);
    } finally {
      if (reserved) this.release(reserved);
    }
  }

  /**
   * Compares two values: on a compute thread for costly types, here for the rest (microseconds).
   * A value of more than `maxUnits` units (vPDQ frames) is refused with PAYLOAD_TOO_LARGE.
   */
  compare(type: SignalType, a: string, b: string, threshold: number, maxUnits: number): Promise<CompareResult> {
    for (const [side, v] of [
      ['a', a],
      ['b', b],
    ] as const) {
      const units = type.units?.(v) ?? 0;
      if (units > maxUnits)
        return Promise.reject(
          new AllianceError(
            'PAYLOAD_TOO_LARGE',
            `${side} holds ${units.toLocaleString('en')} ${type.name} frames; a comparison may hold at most ${maxUnits.toLocaleString('en')} a side (ALLIANCE_VPDQ_MAX_FRAMES)`,
          ),
        );
    }
    if (type.costly) return this.pool.compare(type.name, a, b, threshold);
    return Promise.resolve(type.compare(type.normalize(a), type.normalize(b), threshold));
  }

  async close(): Promise<void> {
    await this.poolOnce?.close();
  }
}
