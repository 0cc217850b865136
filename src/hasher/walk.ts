/**
 * Expands the command line's files and folders into the list of regular files to hash:
 * recursive, sorted (so runs are repeatable), never following symlinks found inside a folder,
 * never opening devices, FIFOs or sockets. Problems are returned as results, not thrown.
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AllianceError, fromErrno, toAllianceError } from '../errors/catalogue.js';

export interface FileEntry {
  /** The path as shown and reported (bytes that are not UTF-8 written as \\xNN). */
  path: string;
  size: number;
  /** The path's bytes, when some name in it is not valid UTF-8 (so `path` cannot open it). */
  fsPath?: Uint8Array;
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

  async function visitDir(dir: Buffer, shown: string, lossy: boolean): Promise<void> {
    let names: Buffer[];
    try {
      names = (await readdir(dir, { encoding: 'buffer' })).sort(Buffer.compare);
    } catch (err) {
      add({ path: shown, status: 'failed', error: toAllianceError(err) });
      return;
    }
    for (const name of names) {
      const raw = Buffer.concat([dir, SLASH, name]);
      const display = displayName(name);
      const path = join(shown, display);
      const rawNeeded = lossy || !Buffer.from(display).equals(name);
      let st;
      try {
        st = await lstat(raw);
      } catch (err) {
        add({ path, status: 'failed', error: toAllianceError(err) });
        continue;
      }
      if (st.isDirectory()) await visitDir(raw, path, rawNeeded);
      else if (st.isFile()) add(rawNeeded ? { path, size: st.size, fsPath: raw } : { path, size: st.size });
      else if (st.isSymbolicLink())
        add({ path, status: 'skipped', error: new AllianceError('FILE_NOT_REGULAR', 'symbolic link inside a folder (not followed)') });
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
    if (st.isDirectory()) await visitDir(Buffer.from(input), input, false);
    else if (st.isFile()) add({ path: input, size: st.size });
    else add({ path: input, status: 'skipped', error: new AllianceError('FILE_NOT_REGULAR', 'not a regular file (device, FIFO or socket)') });
  }
  return { items, files };
}

const SLASH = Buffer.from('/');
const STRICT = new TextDecoder('utf-8', { fatal: true });

/** Length of the valid UTF-8 sequence at `i`, or 0. */
function sequenceLength(b: Buffer, i: number): number {
  const lead = b[i];
  const n = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
  if (n <= 1 || i + n > b.length) return i + n > b.length ? 0 : n;
  try {
    STRICT.decode(b.subarray(i, i + n));
    return n;
  } catch {
    return 0;
  }
}

/**
 * A file name for display: valid UTF-8 as it is, every other byte as \xNN — and, so that no two
 * names display alike, a backslash doubled (Linux names are bytes; a name may also contain "\xff").
 */
export function displayName(name: Buffer): string {
  const text = name.toString('utf8');
  if (Buffer.from(text).equals(name)) return text.replaceAll('\\', '\\\\');
  let out = '';
  for (let i = 0; i < name.length;) {
    const n = sequenceLength(name, i);
    if (n) {
      out += name
        .subarray(i, i + n)
        .toString('utf8')
        .replaceAll('\\', '\\\\');
      i += n;
    } else out += `\\x${name[i++].toString(16).padStart(2, '0')}`;
  }
  return out;
}
