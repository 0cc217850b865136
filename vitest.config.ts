import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Tests spawn the CLI (which runs its own worker threads and ffmpeg): two files at a time on CI's two cores.
    maxWorkers: 2,
    reporters: ['default', './test/support/summary-reporter.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    // Every server a test starts (in-process or as a process, which inherits the environment)
    // compares its answers with their response schemas (src/api/response-contract.ts).
    env: { ALLIANCE_CHECK_RESPONSES: '1' },
  },
});
