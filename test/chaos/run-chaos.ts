/**
 * `npm run chaos`: every scenario (Redis, etcd and database locks under static allocation, etcd
 * under dynamic allocation) for QM_CHAOS_MINUTES minutes each (default 3) with every ready fault
 * kind, from QM_CHAOS_SEED (default 20261201); QM_CHAOS_SCENARIOS narrows the scenarios
 * (comma-separated), QM_CHAOS_KINDS the fault kinds and QM_CHAOS_FAULTS caps the faults per
 * scenario (`npm run chaos:short`: 8 each, 32 in all). Prints one summary line per scenario and
 * the evidence of every violation, and exits 1 on any.
 */
import { type TeardownSteps, runTeardown } from '../harness/teardown.js';
import { evidenceLines } from './chaos-audit.js';
import { READY_FAULT_KINDS, type ReadyFaultKind } from './chaos-faults.js';
import {
  CHAOS_SCENARIOS,
  type ChaosScenarioName,
  resultViolations,
  runChaosScenario,
  summaryLine,
} from './chaos-scenario.js';

const minutes = Number(process.env.QM_CHAOS_MINUTES ?? 3);
const seed = Number(process.env.QM_CHAOS_SEED ?? 20261201);
const maxFaults = Number(process.env.QM_CHAOS_FAULTS ?? Number.MAX_SAFE_INTEGER);
const scenarios = listFromEnv('QM_CHAOS_SCENARIOS', Object.keys(CHAOS_SCENARIOS)) as ChaosScenarioName[];
const kinds = listFromEnv('QM_CHAOS_KINDS', READY_FAULT_KINDS) as ReadyFaultKind[];

function listFromEnv(name: string, allowed: readonly string[]): string[] {
  const given = process.env[name]
    ?.split(',')
    .map((entry) => entry.trim())
    .filter(Boolean) ?? [...allowed];
  const unknown = given.filter((entry) => !allowed.includes(entry));
  if (unknown.length > 0) {
    console.error(`${name}: unknown ${unknown.join(', ')}; allowed: ${allowed.join(', ')}`);
    process.exit(2);
  }
  return given;
}

if (
  !Number.isFinite(minutes) ||
  minutes <= 0 ||
  !Number.isSafeInteger(seed) ||
  !Number.isSafeInteger(maxFaults) ||
  maxFaults < 1
) {
  console.error(
    'QM_CHAOS_MINUTES must be a positive number, QM_CHAOS_SEED an integer and QM_CHAOS_FAULTS a positive integer',
  );
  process.exit(2);
}

let violations = 0;
for (const [index, scenario] of scenarios.entries()) {
  const teardown: TeardownSteps = [];
  try {
    const result = await runChaosScenario(
      scenario,
      {
        seed: seed + index,
        maxFaults,
        maxMinutes: minutes,
        kinds,
        overlapChance: 0.25,
        partialFills: '0.01',
        log: (line) => console.error(line),
      },
      teardown,
    );
    console.log(summaryLine(result));
    for (const line of [...evidenceLines(result.audit), ...result.unrecovered.map((line) => `unrecovered: ${line}`)])
      console.log(`  ${line}`);
    violations += resultViolations(result);
  } catch (error) {
    console.log(`chaos ${scenario}: run failed: ${(error as Error).stack ?? String(error)}`);
    violations += 1;
  } finally {
    await runTeardown(teardown);
  }
}
process.exit(violations === 0 ? 0 : 1);
