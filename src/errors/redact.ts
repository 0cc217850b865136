/**
 * Server paths never reach a client: an error message or a stored error (a job's, a
 * subscription's) that names a file under the data directory, the temporary directory, the
 * working directory, the home directory or the installation shows only the file's name. Paths
 * tell an attacker how the node is laid out, and users need the name, not the place.
 */
import { homedir, tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { realpathSync } from 'node:fs';

const roots = new Set<string>();

function addRoot(dir: string): void {
  for (const d of [dir, safeRealpath(dir)]) if (d && d.length > 1) roots.add(d.replace(/\/+$/, ''));
}

function safeRealpath(dir: string): string | undefined {
  try {
    return realpathSync(dir);
  } catch {
    return undefined;
  }
}

addRoot(tmpdir());
addRoot(homedir());
addRoot(process.cwd());
addRoot(fileURLToPath(new URL('../../', import.meta.url))); // the installation (dist/ or src/)
addRoot('/proc');

/** Adds a directory whose paths are redacted (a node's data directory). */
export function registerServerPath(dir: string): void {
  addRoot(dir);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `text` with every path under a server directory replaced by `…/<file name>`.
 * @example redactServerPaths('cannot read /srv/alliance/data/imports/x.csv') // 'cannot read …/x.csv'
 */
export function redactServerPaths(text: string): string {
  if (!text.includes('/')) return text;
  const alternatives = [...roots]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|');
  // Not inside a URL: a host or port right before the slash means it is a URL's path.
  return text.replace(new RegExp(`(?<![\\w.\\-\\]:/])(?:${alternatives})(?:/[^\\s'"\`,;:)\\]}]*)?`, 'g'), (path) => {
    const name = path.split('/').filter(Boolean).pop();
    return name && !roots.has(path) ? `…/${name}` : '…';
  });
}
