/**
 * Composition root of one instance (placeholder): builds the instance from its configuration and
 * runs its lifecycle. For now it reports what it would run; storage, lock, venue and engines are
 * wired here as they land.
 */
import type { QuantMeshConfig } from '../config/load-config.js';
import { redactDsn } from '../storage/dsn.js';
import type { Logger } from '../observability/logger.js';

export interface RunOptions {
  readonly logger: Logger;
  /** Start as a hot standby (R1): trade only after the active instance is gone. */
  readonly standby: boolean;
}

export interface InstanceHandle {
  /** Stops the instance: engines first, then orders (per system.cancel_on_exit), then connections. Idempotent. */
  stop(): Promise<void>;
}

export async function runInstance(config: QuantMeshConfig, options: RunOptions): Promise<InstanceHandle> {
  const { logger } = options;
  const lock = config.distributedLock;
  logger.info({
    index: config.instance.index,
    standby: options.standby,
    database: { type: config.database.type, target: redactDsn(config.database.dsn) },
    lock: lock.enabled ? { type: lock.type, prefix: lock.prefix, granularity: config.trading.lockGranularity } : 'disabled (single instance, no-op lock)',
    allocation: config.coordination.allocation,
    venues: Object.entries(config.exchanges).map(([name, venue]) => ({ name, type: venue.type, market: venue.market, ...(venue.type === 'ccxt' && venue.baseUrl ? { baseUrl: venue.baseUrl } : {}) })),
    symbols: config.trading.symbols.map((symbol) => `${symbol.exchange}:${symbol.symbol}`),
  }, 'instance configured; trading is not wired yet, so nothing is placed');
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= Promise.resolve().then(() => logger.info('instance stopped'));
      return stopped;
    },
  };
}
