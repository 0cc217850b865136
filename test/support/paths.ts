/** Where the repository, its CLI and the shared fixtures are. */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(REPO, '..', 'shared');
export const FIXTURES = join(SHARED, 'fixtures');
export const PDQ_IMAGES = join(FIXTURES, 'pdq', 'images');
export const VIDEOS = join(FIXTURES, 'video');
export const CLI = join(REPO, 'bin', 'alliance.js');

if (!existsSync(FIXTURES)) throw new Error(`shared fixtures not found at ${FIXTURES}: clone ../shared beside the repository`);
