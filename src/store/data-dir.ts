/**
 * The data directory holds what must stay private to the node: the SQLite database (submission
 * IPs and accounts, reports, cases), the node's signing key, the media, audit and secrets keys,
 * review media, uploads waiting for their import. It is 0700 and every file in it 0600, whatever
 * the umask: files are created with those modes, and opening a node tightens what an older
 * version (or a copy) left more open.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AllianceError } from '../errors/catalogue.js';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

/** Creates `dir` (and parents) as 0700 if missing; returns it. */
export function privateDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  return dir;
}

/** What a node keeps in its data directory (folders are tightened with everything in them). */
const NODE_FILES = /^(alliance\.sqlite(-wal|-shm|-journal)?|[\w-]+\.key|node-key\.pem|audit-checkpoints\.jsonl|first-admin-token)$/;
const NODE_FOLDERS = new Set(['index', 'imports', 'review-media']);

/**
 * Creates the data directory 0700 and brings what the node keeps in it to 0700 (folders) and 0600
 * (files). Only the node's own entries are touched (`--data ~` must not chmod a home directory's
 * files), symbolic links are never followed, and an entry that vanishes meanwhile is skipped.
 * @example ensureDataDir('./data')
 */
export function ensureDataDir(dir: string): void {
  privateDir(dir);
  const tighten = (path: string, depth: number, all: boolean) => {
    let st;
    try {
      st = lstatSync(path);
      if (st.isSymbolicLink()) return;
      if (st.isDirectory()) {
        if ((st.mode & 0o777) !== DIR_MODE) chmodSync(path, DIR_MODE);
        if (depth < 4)
          for (const name of readdirSync(path))
            if (all || NODE_FILES.test(name) || NODE_FOLDERS.has(name)) tighten(join(path, name), depth + 1, all || NODE_FOLDERS.has(name));
      } else if (st.isFile() && (st.mode & 0o077) !== 0) chmodSync(path, FILE_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // renamed or removed by another process meanwhile
    }
  };
  tighten(dir, 0, false);
}

/**
 * Creates `file` (0600) with `content` unless it exists. Written whole under another name, then
 * linked into place: a process reading at the same moment sees no file or the whole file, never
 * half of it, and when several create it at once the first link wins (the others keep theirs out).
 */
export function createOnce(file: string, content: string | Buffer): void {
  privateDir(dirname(file));
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, content, { mode: FILE_MODE, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * A random key kept in `<dataDir>/<name>` (0600), created on first use; several processes sharing
 * the directory agree on it (the first to create it wins). Keys never leave the node, and are never
 * in the database: an attacker with the database alone cannot use them.
 * @example const key = keyFile('./data', 'media.key') // 32 bytes
 */
export function keyFile(dataDir: string, name: string, bytes = 32): Buffer {
  const file = join(dataDir, name);
  if (!existsSync(file)) createOnce(file, randomBytes(bytes));
  const key = readFileSync(file);
  if (key.length !== bytes) throw new AllianceError('INTERNAL', `${name} in the data directory is not a ${bytes}-byte key`);
  return key;
}
