/** The whole code base, tests and benchmarks included, type-checks under strict TypeScript. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { REPO } from './support/paths.js';

it('tsc --noEmit -p test reports no error', () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', join(REPO, 'test')], { encoding: 'utf8' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  expect(output).toBe('');
});
