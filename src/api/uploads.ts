/**
 * Uploaded media: the one file of a multipart request is streamed to a private temporary file
 * (never kept in memory whole, never stored), hashed by the same code as `alliance hash`, and
 * deleted.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { AllianceError } from '../errors/catalogue.js';
import { refuseNul } from './input-guard.js';
import type { FileResult, HashRequest } from '../hasher/hash-file.js';
import type { ComputeService } from '../compute/compute-service.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Heavy work off the HTTP thread (see compute/compute-service.ts). */
    compute: ComputeService;
  }
}

export interface Upload {
  /** The multipart field name of the file (HMA: the content type, photo or video). */
  field: string;
  filename: string;
  /** Plain form fields sent with it. */
  fields: Record<string, string>;
  result: FileResult;
  /** The file's bytes, when asked for (`keep`): media a review may need, encrypted by the caller. */
  bytes?: Buffer;
}

export type UploadHashRequest = Omit<HashRequest, 'maxInMemoryBytes' | 'types'> & {
  /** Signal types, or a choice by the file's field name (HMA names the field by content type). */
  types: string[] | ((field: string) => string[]);
  /** Return the file's bytes too (before the temporary file is deleted). */
  keep?: boolean;
};

/** Reads exactly one file from a multipart request and hashes it. */
export async function hashUpload(request: FastifyRequest, hashRequest: UploadHashRequest): Promise<Upload> {
  if (!request.isMultipart()) throw new AllianceError('UNSUPPORTED_MEDIA_TYPE', 'send the file as multipart/form-data');
  const dir = await mkdtemp(join(tmpdir(), 'alliance-upload-'));
  try {
    let file: { field: string; filename: string; path: string } | undefined;
    const fields: Record<string, string> = {};
    try {
      for await (const part of request.parts()) {
        refuseNul(part.fieldname, 'form field name');
        if (part.type === 'file') {
          if (file) {
            part.file.resume();
            throw new AllianceError('VALIDATION', 'Only one file allowed per request');
          }
          // Keep the extension: a file named like an image that is not one is reported as such.
          const path = join(
            dir,
            `upload${extname(part.filename ?? '')
              .toLowerCase()
              .replace(/[^.a-z0-9]/g, '')
              .slice(0, 10)}`,
          );
          await pipeline(part.file, createWriteStream(path, { mode: 0o600 }));
          if (part.file.truncated) throw new AllianceError('PAYLOAD_TOO_LARGE', 'the uploaded file is larger than the configured limit');
          file = { field: part.fieldname, filename: part.filename, path };
        } else {
          const value = String(part.value);
          refuseNul(value, `form field ${part.fieldname}`);
          fields[part.fieldname] = value;
        }
      }
    } catch (err) {
      throw multipartError(err);
    }
    if (!file) throw new AllianceError('VALIDATION', 'Missing multipart/form-data file upload');
    const { size } = await stat(file.path);
    const types = typeof hashRequest.types === 'function' ? hashRequest.types(file.field) : hashRequest.types;
    // On the compute threads, within the decode budget: never on the thread that serves HTTP.
    const result = await request.server.compute.hash({ path: file.path, size }, { ...hashRequest, types, maxInMemoryBytes: 256 * 1024 * 1024 });
    const bytes = hashRequest.keep ? await readFile(file.path) : undefined;
    return { field: file.field, filename: file.filename, fields, result: { ...result, path: file.filename }, ...(bytes ? { bytes } : {}) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A failure while reading the multipart body as a 4xx: the parser's own errors (no boundary, a
 * wrong one, a body cut before its closing boundary, a malformed part header) mean the request is
 * malformed, never that the server failed.
 */
function multipartError(err: unknown): unknown {
  if (err instanceof AllianceError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (
    e.statusCode === 413 ||
    e.code === 'FST_REQ_FILE_TOO_LARGE' ||
    e.code === 'FST_FILES_LIMIT' ||
    e.code === 'FST_PARTS_LIMIT' ||
    e.code === 'FST_FIELDS_LIMIT'
  ) {
    return new AllianceError('PAYLOAD_TOO_LARGE', `the multipart body is over a limit: ${e.message ?? 'too large'}`);
  }
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.code === 'ECONNRESET')
    return new AllianceError('UPLOAD_INVALID', 'the upload was cut off before it was complete');
  return new AllianceError('UPLOAD_INVALID', `malformed multipart/form-data body: ${(e.message ?? String(err)).split('\n')[0].slice(0, 200)}`);
}

/** The signals of a hashed upload, or the upload's error as a 4xx. */
export function uploadSignals(upload: Upload): Record<string, string> {
  const { result } = upload;
  if (result.status === 'failed' && result.error) {
    const { code, message } = result.error;
    if (code === 'INTERNAL') throw new AllianceError('INTERNAL', message);
    if (code === 'IMAGE_TOO_LARGE') throw new AllianceError('PAYLOAD_TOO_LARGE', `the uploaded image is too large: ${message}`);
    throw new AllianceError('UPLOAD_INVALID', `the uploaded file cannot be hashed: ${message} [${code}]`);
  }
  if (result.status === 'skipped' || result.media === 'other') {
    throw new AllianceError('UPLOAD_INVALID', `the uploaded file is not an image or video (${result.format ?? 'unknown'} content)`);
  }
  return Object.fromEntries(Object.entries(result.signals).map(([t, s]) => [t, s.value]));
}
