/**
 * Composition root of one instance: opens storage (with the durable spool), the lock, each venue
 * and one TradingEngine per venue, serves the HTTP interface, and runs until stopped.
 *
 * Order of start: the spool is flushed into the database before any grid is loaded (a grid loaded
 * from a database that lags its spool would re-apply what the spool then writes again). Order of
 * stop: engines first (loops, then the grids' own orders per system.cancel_on_exit), then the HTTP
 * server, venues, lock, and storage last, so every record of the stop is written.
 */
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Registry } from 'prom-client';
import type { QuantMeshConfig } from '../config/load-config.js';
import { DEFAULTS } from '../config/defaults.js';
import type { DistributedLock } from '../coordination/lock/distributed-lock.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { OrderExecutor } from '../engine/order-executor.js';
import type { Exchange } from '../exchange/exchange.js';
import { EngineMetrics } from '../observability/engine-metrics.js';
import { checkHealth } from '../observability/health.js';
import type { Logger } from '../observability/logger.js';
import { startHttpServer } from '../server/http-server.js';
import type { Database } from '../storage/database.js';
import { redactDsn } from '../storage/dsn.js';
import { openDatabase } from '../storage/open-database.js';
import { SpooledDatabase } from '../storage/spool/spooled-database.js';
import { gridSettingsOf } from './config-mapping.js';
import { openLock } from './open-lock.js';
import { openVenue } from './open-venue.js';

export interface RunOptions {
  readonly logger: Logger;
  /** Start as a hot standby (R1): trade only after the active instance is gone. */
  readonly standby: boolean;
  /** Version shown by `GET /api/status`. */
  readonly version?: string | undefined;
}

export interface InstanceHandle {
  /** Where the HTTP interface listens (undefined when `web.enabled` is false). */
  readonly url: string | undefined;
  /** Stops the instance: engines first, then orders (per system.cancel_on_exit), then connections. Idempotent. */
  stop(): Promise<void>;
}

const STATUS_INTERVAL_MS = 10_000;
const SPOOL_DRAIN_MS = 10_000;

export async function runInstance(config: QuantMeshConfig, options: RunOptions): Promise<InstanceHandle> {
  const { logger } = options;
  const instanceId = config.instance.id ?? `instance-${config.instance.index}`;
  const startedAt = new Date().toISOString();
  const registry = new Registry();
  const metrics = new EngineMetrics(registry);
  const dsn = config.database.dsn ?? DEFAULTS.database.sqliteDsn;
  if (config.database.type === 'sqlite' && dsn !== ':memory:') await mkdir(dirname(dsn.replace(/^(sqlite:\/\/|file:)/i, '')), { recursive: true });
  await mkdir(dirname(config.storage.spoolPath), { recursive: true });
  const database = await openDatabase({
    type: config.database.type, dsn, maxOpenConns: config.database.maxOpenConns, maxIdleConns: config.database.maxIdleConns,
    connMaxLifetimeSeconds: config.database.connMaxLifetime / 1000,
    spool: { path: config.storage.spoolPath, batchSize: config.storage.batchSize, flushIntervalMs: config.storage.flushInterval, maxSpoolBytes: config.storage.maxSpoolBytes },
    registry, logger,
  });
  if (database instanceof SpooledDatabase) await database.flush();
  const lock = await openLock(config);
  logger.info({
    index: config.instance.index,
    database: { type: config.database.type, target: redactDsn(dsn) },
    lock: config.distributedLock.enabled ? { type: config.distributedLock.type, prefix: config.distributedLock.prefix, granularity: config.trading.lockGranularity } : 'disabled (single instance, no-op lock)',
    symbols: config.trading.symbols.map((symbol) => `${symbol.exchange}:${symbol.symbol}`),
  }, 'instance configured');

  const venues: Exchange[] = [];
  const engines: TradingEngine[] = [];
  const stopEngines = () => Promise.all(engines.map((engine) => engine.stop({ cancelOnExit: config.system.cancelOnExit, closePositions: config.system.closePositionsOnExit })));
  try {
    if (options.standby) {
      logger.warn('standby: hot standby takeover is not wired into this composition root yet; this instance places nothing');
    } else {
      for (const name of new Set(config.trading.symbols.map((entry) => entry.exchange))) {
        const exchange = openVenue(config, name, logger);
        venues.push(exchange);
        const engine = new TradingEngine({
          exchange, database, logger, instanceId, metrics, clock: Date.now,
          executor: new OrderExecutor({ exchange, database, lock, granularity: config.trading.lockGranularity, lockTtlMs: config.distributedLock.defaultTtl, instanceId, clock: Date.now }),
          grids: config.trading.symbols.filter((entry) => entry.exchange === name).map((entry) => ({ symbol: entry.symbol, settings: gridSettingsOf(config, entry), reconcileIntervalMs: entry.reconcileInterval })),
        });
        engines.push(engine);
        await engine.start();
      }
    }
  } catch (error) {
    await stopEngines().catch(() => undefined);
    await closeAll(venues, lock, database);
    throw error;
  }

  const summaries = () => engines.flatMap((engine) => engine.summaries());
  const http = config.web.enabled ? await startHttpServer({
    host: config.web.host, port: config.web.port, apiKey: config.web.apiKey, registry,
    status: () => ({ instanceId, version: options.version ?? 'unknown', mode: options.standby ? 'standby' : 'active', startedAt, symbols: summaries() }),
    health: () => checkHealth([
      { name: 'database', check: (signal) => database.ping(signal) },
      { name: 'lock', check: (signal) => lock.ping(signal) },
    ]),
    resume: async (exchange, symbol) => {
      const runner = engines.flatMap((engine) => engine.runners).find((candidate) => candidate.exchangeName === exchange && candidate.symbol === symbol);
      if (runner === undefined) return false;
      await runner.resume();
      return true;
    },
  }) : undefined;
  if (http !== undefined) logger.info({ url: http.url }, 'HTTP interface listening');
  const statusTimer = setInterval(() => logger.info({ symbols: summaries() }, 'status'), STATUS_INTERVAL_MS);
  statusTimer.unref();

  let stopped: Promise<void> | undefined;
  return {
    url: http?.url,
    stop() {
      stopped ??= (async () => {
        clearInterval(statusTimer);
        await stopEngines();
        logger.info({ symbols: summaries() }, 'final status');
        await http?.server.close();
        await closeAll(venues, lock, database);
        logger.info('instance stopped');
      })();
      return stopped;
    },
  };
}

async function closeAll(venues: readonly Exchange[], lock: DistributedLock, database: Database): Promise<void> {
  await Promise.allSettled(venues.map((venue) => venue.close()));
  await lock.close().catch(() => undefined);
  // A clean stop leaves the database current; what the bound cuts off stays in the spool file and is
  // written at the next start (the spool is durable), so the wait is bounded for a database outage.
  if (database instanceof SpooledDatabase) await Promise.race([database.flush(), new Promise((resolve) => setTimeout(resolve, SPOOL_DRAIN_MS).unref())]);
  await database.close();
}
