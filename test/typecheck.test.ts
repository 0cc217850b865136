/** The whole code base — server, tests, benchmarks and the web UI — type-checks under strict TypeScript. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './support/paths.js';

it.each(['test', 'web'])('tsc --noEmit -p %s reports no error', (project) => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(REPO, project)], { encoding: 'utf8' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(output).toBe('');
});
