/**
 * The one way tests (and the chaos runner) register teardown: whatever a test starts, it pushes the
 * stop of onto a list of steps; the steps run last first, each failure ignored, so a failed start
 * still stops what came before it. Inside vitest, `cleanupAfterAll()` (cleanup-after-all.ts) runs them.
 */
export type TeardownSteps = Array<() => Promise<unknown>>;

/** Runs the steps last first and empties the list; a step that fails does not stop the others. */
export async function runTeardown(steps: TeardownSteps): Promise<void> {
  for (const step of steps.splice(0).reverse()) await step().catch(() => undefined);
}
