/**
 * Bounded polling of a condition that no event announces (a status over HTTP, log lines, stored
 * rows, a venue's book). A condition that throws counts as not yet true (a server still starting);
 * the timeout names what was awaited and the last failure. The time-out scales with the machine's
 * load (time-scale.ts): it bounds how long something may take to happen, not the figure under test.
 */
import { scaled } from './time-scale.js';

export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const limitMs = scaled(timeoutMs);
  const deadline = performance.now() + limitMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) {
      throw new Error(
        `timed out after ${limitMs} ms waiting for ${what}${lastError === undefined ? '' : ` (last failure: ${String(lastError)})`}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** `until` for a value: reads it until `accept` takes it, and returns it. */
export async function eventually<T>(
  read: () => T | Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs = 20_000,
): Promise<T> {
  let value: T | undefined;
  await until(async () => accept((value = await read())), what, timeoutMs);
  return value as T;
}
