/**
 * The work a pool thread does: hashing a file (decoding, ffmpeg, PDQ/vPDQ, digests) and comparing
 * two values of a signal type. Pure functions of their input, so they can run on any thread.
 */
import { hashFile, type FileResult, type HashRequest } from '../hasher/hash-file.js';
import type { FileEntry } from '../hasher/walk.js';
import { type CompareResult, getSignalType } from '../signals/index.js';

export type Task = { kind: 'hash'; entry: FileEntry; request: HashRequest } | { kind: 'compare'; signalType: string; a: string; b: string; threshold: number };

export type TaskResult<T extends Task> = T extends { kind: 'hash' } ? FileResult : T extends { kind: 'compare' } ? CompareResult : never;

/** Runs one task (on whatever thread calls it). Failures of bad input are thrown as AllianceErrors. */
export async function runTask(task: Task, onProgress?: (fraction: number) => void): Promise<FileResult | CompareResult> {
  switch (task.kind) {
    case 'hash':
      // Never throws for the file's sake: an unexpected failure is the file's failed result.
      return hashFile(task.entry, task.request, onProgress).catch((err: unknown) => ({
        path: task.entry.path,
        size: task.entry.size,
        status: 'failed' as const,
        signals: {},
        error: { code: 'INTERNAL' as const, message: String(err) },
      }));
    case 'compare': {
      const type = getSignalType(task.signalType);
      return type.compare(type.normalize(task.a), type.normalize(task.b), task.threshold);
    }
  }
}
