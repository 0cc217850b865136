#!/usr/bin/env node
// Sets up everything Alliance needs on a fresh machine, idempotently, and quickly when nothing
// changed: the Debian packages it runs (apt-get update once, then install), the npm dependencies
// exactly as locked (npm ci), the index's C kernel, and the compiled CLI (tsc, incremental).
// Usage: node scripts/setup.mjs
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildNative } from './native.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Commands Alliance or its tests run, and the Debian package of each. */
const DEBIAN_PACKAGES = {
  ffmpeg: 'ffmpeg', // vPDQ frames
  ffprobe: 'ffmpeg',
  setpriv: 'util-linux', // tests: drop root's file-access override to make a file unreadable
  python3: 'python3', // tests and benchmarks: ../shared/bench/make_hashes.py
  chromium: 'chromium', // country reports as PDF; tests: the web UI in a real browser (playwright-core)
  pdftoppm: 'poppler-utils', // tests: a country report's PDF renders (pdftoppm) and reads (pdftotext)
  pdftotext: 'poppler-utils',
  cc: 'gcc', // the index's C kernel (scripts/native.mjs); its tests expect it built
};

/** Packages found by a path rather than a command on PATH. */
const DEBIAN_FILES = [
  ['/usr/lib/postgresql/*/bin/initdb', 'postgresql'], // tests of the PostgreSQL path start their own server
];

function log(msg) {
  process.stderr.write(`[setup] ${msg}\n`);
}

function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function run(cmd, args, opts = {}) {
  log(`${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: root, ...opts });
  if (r.status !== 0) {
    log(`failed: ${cmd} ${args.join(' ')} (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

if (Number(process.versions.node.split('.')[0]) < 20) {
  log(`Node.js ${process.versions.node} is too old: Alliance needs Node 20 or newer`);
  process.exit(1);
}

// 1. Debian packages.
const globExists = (pattern) => spawnSync('sh', ['-c', `ls ${pattern}`], { stdio: 'ignore' }).status === 0;
const missing = [
  ...new Set([
    ...Object.entries(DEBIAN_PACKAGES)
      .filter(([cmd]) => !has(cmd))
      .map(([, pkg]) => pkg),
    ...DEBIAN_FILES.filter(([pattern]) => !globExists(pattern)).map(([, pkg]) => pkg),
  ]),
];
if (missing.length) {
  if (!has('apt-get')) {
    log(`missing ${missing.join(', ')} and there is no apt-get: install them with your package manager`);
    process.exit(1);
  }
  const apt = process.getuid?.() === 0 ? ['apt-get'] : ['sudo', '-n', 'apt-get'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run(apt[0], [...apt.slice(1), 'update', '-qq'], { env });
  run(apt[0], [...apt.slice(1), 'install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

// 2. npm dependencies, exactly as locked, re-installed only when the lock file changed.
const stamp = join(root, 'node_modules', '.alliance-lock.sha256');
const lockHash = createHash('sha256')
  .update(readFileSync(join(root, 'package-lock.json')))
  .digest('hex');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== lockHash) {
  run('npm', ['ci', '--no-audit', '--no-fund']);
  writeFileSync(stamp, lockHash);
}

// 3. The index's C kernel (optional: without a compiler, batch lookups walk in JavaScript).
buildNative();

// 4. Compile (incremental: quick when nothing changed) and build the web UI and the check SDK when their sources changed.
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', root]);
const newest = (dir) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .reduce((t, d) => Math.max(t, statSync(join(d.parentPath, d.name)).mtimeMs), 0);
const builtWeb = join(root, 'dist', 'web', 'index.html');
if (!existsSync(builtWeb) || statSync(builtWeb).mtimeMs < newest(join(root, 'web'))) {
  run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'web', 'vite.config.ts'), '--logLevel', 'warn']);
}
const builtSdk = join(root, 'sdk', 'dist', 'alliance-check-worker.js');
const sdkSources = Math.max(newest(join(root, 'sdk', 'src')), newest(join(root, 'src', 'signals', 'pdq')));
if (!existsSync(builtSdk) || statSync(builtSdk).mtimeMs < sdkSources) {
  run(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(root, 'sdk', 'vite.config.ts'), '--logLevel', 'warn']);
  run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'sdk', 'tsconfig.build.json')]);
}
