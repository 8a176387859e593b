import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Acceptance tests of open issues that do not pass yet: not part of `npm test` (a red test would block
 * every merge), run on their own with `npm run test:open-acceptance`; each is named, with what fails,
 * on its issue. Nothing here counts as passing.
 */
const OPEN_ACCEPTANCE = [
  'test/app/degraded-mode.test.ts', // issue 15: 4 of 5 cases fail
  'test/app/database-outage.test.ts', // issue 14: no fill during the outage in some runs (sim price)
];

export default defineConfig({
  test: {
    include: process.env.QM_OPEN_ACCEPTANCE === '1' ? OPEN_ACCEPTANCE : ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(process.env.QM_OPEN_ACCEPTANCE === '1' ? [] : OPEN_ACCEPTANCE)],
    // Real services and child processes: give each file its own process, two at a time (2-core machines).
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/harness/summary-reporter.ts'],
    // No test may be skipped silently: `.skip`/`.todo` fail the run through the summary reporter.
  },
});
