import { defineConfig } from 'vitest/config';
import { scaled } from './test/harness/time-scale.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real services and child processes: give each file its own process, two at a time (2-core machines).
    pool: 'forks',
    maxWorkers: 2,
    // Scaled by the load when the run starts (test/harness/time-scale.ts), as is every `until`.
    testTimeout: scaled(60_000),
    hookTimeout: scaled(120_000),
    reporters: ['default', './test/harness/summary-reporter.ts'],
    // No test may be skipped silently: `.skip`/`.todo` fail the run through the summary reporter.
  },
});
