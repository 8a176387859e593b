/**
 * Health (R8): the lock backend and the database are pinged; unhealthy is reported with the cause.
 * Each check has its own timeout so one hung dependency cannot hide the state of the others.
 */
export interface HealthCheck {
  readonly name: string;
  /** Resolves when healthy; throws with the cause otherwise. Must honour `signal`. */
  check(signal: AbortSignal): Promise<void>;
}

export interface ComponentHealth {
  readonly name: string;
  readonly healthy: boolean;
  /** Why it is unhealthy (an error message; never a secret). */
  readonly cause?: string | undefined;
  readonly latencyMs: number;
}

export interface HealthReport {
  readonly healthy: boolean;
  readonly components: readonly ComponentHealth[];
}

export async function checkHealth(checks: readonly HealthCheck[], timeoutMs = 5000): Promise<HealthReport> {
  const components = await Promise.all(
    checks.map(async (entry): Promise<ComponentHealth> => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([
          entry.check(signal),
          new Promise<never>((_, reject) =>
            signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), {
              once: true,
            }),
          ),
        ]);
        return { name: entry.name, healthy: true, latencyMs: performance.now() - started };
      } catch (error) {
        return { name: entry.name, healthy: false, cause: describe(error), latencyMs: performance.now() - started };
      }
    }),
  );
  return { healthy: components.every((c) => c.healthy), components };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause =
    error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`;
}
