/** Teardown steps (teardown.ts) run once the tests of the calling `describe` block are done. */
import { afterAll } from 'vitest';
import { type TeardownSteps, runTeardown } from './teardown.js';

export function cleanupAfterAll(): TeardownSteps {
  const steps: TeardownSteps = [];
  afterAll(() => runTeardown(steps));
  return steps;
}
