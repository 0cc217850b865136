/**
 * HMA's ways of receiving media: `?url=` (fetched safely) or a multipart upload whose single file
 * field is named by the content type (`photo` or `video`). Either way the media is hashed with
 * the signal types of its content type and dropped; the result is keyed by HMA type names.
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';
import { AllianceError } from '../../errors/catalogue.js';
import type { FileResult } from '../../hasher/hash-file.js';
import type { ComputeService } from '../../compute/compute-service.js';
import { fetchToFile, type FetchOptions } from '../../media/fetch-url.js';
import { hashUpload } from '../uploads.js';
import { contentTypeSignals, hmaType, hmaValue, nativeType } from './names.js';

export interface MediaOptions {
  maxImagePixels: number;
  fetch: FetchOptions;
  /** Hashing runs on the compute threads, within the decode budget. */
  compute: ComputeService;
  /** Frames of one vPDQ value a comparison may hold. */
  vpdqMaxFrames: number;
}

/** The native signal types for an HMA content type and optional `types` selection. */
export function typesFor(contentType: string, types: string | undefined): string[] {
  const available = contentTypeSignals(contentType);
  if (!available) throw new AllianceError('VALIDATION', `no such content_type: '${contentType}'`);
  if (types === undefined) return available;
  const picked = types
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (picked.length === 0) throw new AllianceError('VALIDATION', 'empty signal type selection');
  return picked.map((t) => {
    const native = nativeType(t);
    if (!native || !available.includes(native)) throw new AllianceError('VALIDATION', `signal type '${t}' doesn't exist or is disabled`);
    return native;
  });
}

function keyed(signals: Record<string, { value: string }>): Record<string, string> {
  return Object.fromEntries(Object.entries(signals).map(([t, s]) => [hmaType(t), hmaValue(t, s.value)]));
}

function failIfFailed(result: FileResult): void {
  if (result.status === 'failed' && result.error) {
    if (result.error.code === 'IMAGE_TOO_LARGE') throw new AllianceError('PAYLOAD_TOO_LARGE', `the image is too large: ${result.error.message}`);
    throw new AllianceError('UPLOAD_INVALID', `cannot hash the media: ${result.error.message} [${result.error.code}]`);
  }
  if (result.status === 'skipped') throw new AllianceError('UPLOAD_INVALID', `the media is not of the given content type (${result.format} content)`);
}

/** Hashes the media at `url` (HMA: GET /h/hash, ?url= on lookups and content). */
export async function hashUrl(url: string, contentType: string | undefined, types: string | undefined, opts: MediaOptions): Promise<Record<string, string>> {
  const dir = await mkdtemp(join(tmpdir(), 'alliance-fetch-'));
  try {
    const path = join(dir, 'media');
    const fetched = await fetchToFile(url, path, opts.fetch);
    const kind = contentType ?? (fetched.contentType?.startsWith('image') ? 'photo' : fetched.contentType?.startsWith('video') ? 'video' : undefined);
    if (!kind) {
      throw new AllianceError(
        'VALIDATION',
        `unsupported url ContentType: '${fetched.contentType ?? ''}', if you know the expected type, provide it with the content_type query param`,
      );
    }
    const selected = typesFor(kind, types);
    const { size } = await stat(path);
    const result = await opts.compute.hash(
      { path, size },
      { types: selected, maxImagePixels: opts.maxImagePixels, maxInMemoryBytes: 256 * 1024 * 1024, autoOrient: false, secondsPerHash: 1, dihedral: false },
    );
    failIfFailed(result);
    return keyed(result.signals);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Hashes a multipart upload named by its content type; returns the hashes and the form fields. */
export async function hashMultipart(
  request: FastifyRequest,
  types: string | undefined,
  opts: MediaOptions,
): Promise<{ signals: Record<string, string>; fields: Record<string, string> }> {
  const upload = await hashUpload(request, {
    types: (field) => typesFor(field, types),
    maxImagePixels: opts.maxImagePixels,
    autoOrient: false,
    secondsPerHash: 1,
    dihedral: false,
  });
  failIfFailed(upload.result);
  return { signals: keyed(upload.result.signals), fields: upload.fields };
}
