#!/usr/bin/env node
// Builds the index's C kernel (native/hamming.c → native/build/hamming.node, and a scalar build) with the
// machine's C compiler and Node's headers, when its source, the compiler flags or Node changed.
// Optional: without a compiler or the headers it says so and the index probes in JavaScript,
// with the same answers (ALLIANCE_NATIVE=0 turns the kernel off at run time).
// Usage: node scripts/native.mjs            (setup runs it)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'native', 'hamming.c');
const outDir = join(root, 'native', 'build');

function log(msg) {
  process.stderr.write(`[native] ${msg}\n`);
}

/** Where node_api.h is: beside this Node's prefix, or npm's nodedir. */
function nodeHeaders() {
  const candidates = [
    join(dirname(dirname(process.execPath)), 'include', 'node'),
    process.env.npm_config_nodedir && join(process.env.npm_config_nodedir, 'include', 'node'),
    '/usr/include/node',
    '/usr/local/include/node',
  ].filter(Boolean);
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

const compiler = process.env.CC || 'cc';
// The kernel is built on the machine that runs it: tuned for its CPU (popcount as one instruction).
const flags = ['-O3', '-std=c11', '-D_GNU_SOURCE', '-fPIC', '-shared', '-Wall', '-Wextra', '-Werror', ...(arch() === 'x64' ? ['-march=native'] : [])];

/**
 * Builds native/build/hamming.node (tuned for this CPU) and hamming-scalar.node (the same without
 * SIMD, which machines without AVX-512 run: the tests hold both to the JavaScript's answers).
 */
export function buildNative() {
  const headers = nodeHeaders();
  if (!headers) {
    log("Node's headers (node_api.h) not found: the index probes in JavaScript");
    return false;
  }
  if (spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status !== 0) {
    log(`no C compiler (${compiler}): the index probes in JavaScript`);
    return false;
  }
  return [
    ['hamming', []],
    ['hamming-scalar', ['-DHAMMING_SCALAR']],
  ].every(([name, extra]) => build(name, [...flags, ...extra], headers));
}

function build(name, buildFlags, headers) {
  const target = join(outDir, `${name}.node`);
  const stampFile = join(outDir, `${name}.stamp`);
  const stamp = createHash('sha256')
    .update(readFileSync(source))
    .update(JSON.stringify([compiler, buildFlags, headers, process.version]))
    .digest('hex');
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return true;
  mkdirSync(outDir, { recursive: true });
  const partial = `${target}.${process.pid}.tmp`;
  log(`${compiler} ${buildFlags.join(' ')} native/hamming.c -o native/build/${name}.node`);
  const r = spawnSync(compiler, [...buildFlags, `-I${headers}`, '-o', partial, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    log('the C kernel did not build: the index probes in JavaScript');
    return false;
  }
  renameSync(partial, target); // whole or not at all: a running node keeps the file it loaded
  writeFileSync(stampFile, stamp);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) buildNative();
