/**
 * Prints the closing `N passed, N failed` line that `.ci/run` reports. Errors outside tests
 * (a file that fails to load, a failing beforeAll/afterAll, an unhandled rejection) count as failures: a run that could not
 * test something is not green.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    for (const mod of modules) {
      let failedHere = 0;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failedHere++;
      }
      // A file that failed without a failed test: it did not load, or a beforeAll/afterAll threw.
      failed += failedHere || (mod.state() === 'failed' ? 1 : 0);
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
  }
}
