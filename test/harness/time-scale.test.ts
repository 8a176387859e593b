/**
 * Time-outs scale with the load (the suite passes with both cores also busy): `until` and a child's
 * `waitForLine` stretch their bounds by the factor, which follows the load average over the cores
 * within [1, 4], or QM_TEST_TIME_SCALE when set.
 */
import { availableParallelism, loadavg } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import { scaled, timeScale } from './time-scale.js';
import { until } from './until.js';

const fixed = process.env['QM_TEST_TIME_SCALE'];
afterEach(() => {
  if (fixed === undefined) delete process.env['QM_TEST_TIME_SCALE'];
  else process.env['QM_TEST_TIME_SCALE'] = fixed;
});

it('follows the load average over the cores, at least 1 and at most 4', () => {
  delete process.env['QM_TEST_TIME_SCALE'];
  const before = (loadavg()[0] ?? 0) / availableParallelism();
  const factor = timeScale();
  const after = (loadavg()[0] ?? 0) / availableParallelism();
  expect(factor).toBeGreaterThanOrEqual(Math.min(4, Math.max(1, Math.min(before, after))));
  expect(factor).toBeLessThanOrEqual(Math.min(4, Math.max(1, Math.max(before, after))));
});

it('stretches an until by the factor QM_TEST_TIME_SCALE fixes, and says so', async () => {
  process.env['QM_TEST_TIME_SCALE'] = '3';
  expect(scaled(1000)).toBe(3000);
  const started = performance.now();
  await expect(until(() => false, 'nothing', 100)).rejects.toThrow('timed out after 300 ms waiting for nothing');
  expect(performance.now() - started).toBeGreaterThanOrEqual(300);
});
