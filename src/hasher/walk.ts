/**
 * Expands the command line's files and folders into the list of regular files to hash:
 * recursive, sorted (so runs are repeatable), never following symlinks found inside a folder,
 * never opening devices, FIFOs or sockets. Problems are returned as results, not thrown.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AllianceError, fromErrno, toAllianceError } from '../errors/catalogue.js';

export interface FileEntry {
  path: string;
  size: number;
}

export interface WalkProblem {
  path: string;
  /** 'skipped' for things deliberately not hashed, 'failed' for what could not be read. */
  status: 'skipped' | 'failed';
  error: AllianceError;
}

export interface WalkResult {
  /** Files and problems in walk order, so output keeps the order of the file system. */
  items: Array<FileEntry | WalkProblem>;
  files: number;
}

export function isProblem(item: FileEntry | WalkProblem): item is WalkProblem {
  return 'status' in item;
}

/**
 * Walks inputs depth-first in byte order of names.
 * @example const { items } = await walkInputs(['photos/', 'clip.mp4']);
 */
export async function walkInputs(inputs: readonly string[], onProgress?: (found: number) => void): Promise<WalkResult> {
  const items: Array<FileEntry | WalkProblem> = [];
  let files = 0;
  const add = (item: FileEntry | WalkProblem) => {
    items.push(item);
    if (!isProblem(item) && ++files % 1000 === 0) onProgress?.(files);
  };

  async function visitDir(dir: string): Promise<void> {
    let names: string[];
    try {
      names = (await readdir(dir)).sort(byteOrder);
    } catch (err) {
      add({ path: dir, status: 'failed', error: toAllianceError(err) });
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try {
        st = await lstat(path);
      } catch (err) {
        add({ path, status: 'failed', error: toAllianceError(err) });
        continue;
      }
      if (st.isDirectory()) await visitDir(path);
      else if (st.isFile()) add({ path, size: st.size });
      else if (st.isSymbolicLink()) add({ path, status: 'skipped', error: new AllianceError('FILE_NOT_REGULAR', 'symbolic link inside a folder (not followed)') });
      else add({ path, status: 'skipped', error: new AllianceError('FILE_NOT_REGULAR', 'not a regular file (device, FIFO or socket)') });
    }
  }

  for (const input of inputs) {
    let st;
    try {
      st = await stat(input); // a path named on the command line is followed if it is a symlink
    } catch (err) {
      add({ path: input, status: 'failed', error: fromErrno(err as NodeJS.ErrnoException) });
      continue;
    }
    if (st.isDirectory()) await visitDir(input);
    else if (st.isFile()) add({ path: input, size: st.size });
    else add({ path: input, status: 'skipped', error: new AllianceError('FILE_NOT_REGULAR', 'not a regular file (device, FIFO or socket)') });
  }
  return { items, files };
}

function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
