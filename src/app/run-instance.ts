/**
 * The composition root of one instance: builds storage, the lock, the venues and one trading
 * engine per venue from the configuration, serves the HTTP interface, reports status, and owns
 * the lifecycle. Stopping goes in the order grid-strategy.md asks for: the loops first, then the
 * grids' working orders (`system.cancel_on_exit`), then storage is flushed and connections closed.
 *
 * Every instance, active or `--standby` (R1), builds the engines of its configured symbols, but a
 * symbol trades only while this instance holds its ownership lease (Invariant 4; instance-ownership.ts):
 * an active instance campaigns at once, a standby after one lease TTL, and takes over the symbols
 * of an active instance that died (R10), with an alert.
 */
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { QuantMeshConfig } from '../config/load-config.js';
import { createDistributedLock } from '../coordination/lock/create-distributed-lock.js';
import type { DistributedLock } from '../coordination/lock/distributed-lock.js';
import { MeteredLock } from '../coordination/lock/metered-lock.js';
import { RoutedLock } from '../coordination/lock/routed-lock.js';
import { OrderExecutor } from '../engine/execution/order-executor.js';
import type { SymbolStatus } from '../engine/symbol-summary.js';
import { TradingEngine } from '../engine/trading-engine.js';
import { type ExchangeOptions, createExchange } from '../exchange/create-exchange.js';
import type { Exchange, VenueCredentials } from '../exchange/exchange.js';
import type { SimOpeningPosition } from '../exchange/sim/sim-account.js';
import { accountIdentity } from '../exchange/ccxt/ccxt-exchange.js';
import type { SharedRateBudget } from '../coordination/rate-budget/shared-rate-budget.js';
import { ZERO } from '../domain/decimal.js';
import { AlertNotifier } from '../observability/alert-notifier.js';
import { NotificationDispatcher } from '../observability/notifications/notification-dispatcher.js';
import { notificationChannelsOf, startOptInNotifications } from './notification-channels.js';
import { EngineMetrics } from '../observability/engine-metrics.js';
import { registerDegradedMode, registerInstanceInfo } from '../observability/instance-metrics.js';
import { type HealthCheck, checkHealth } from '../observability/health.js';
import { type Logger, STATUS_LINE_KEY } from '../observability/logger.js';
import { rateBudgetHealthCheck, registerRateBudgetState } from '../observability/rate-budget-health.js';
import { symbolsHealthCheck } from '../observability/symbol-health.js';
import { WarningRateLimit } from '../observability/warning-rate-limit.js';
import { StoredTradeTotals } from './stored-trade-totals.js';
import { type InstanceStatus, startHttpServer } from '../server/http-server.js';
import { clusterView } from '../server/cluster-view.js';
import type { Database } from '../storage/database.js';
import { openDatabase } from '../storage/open-database.js';
import { EtcdMembership } from '../coordination/membership/etcd/etcd-membership.js';
import { DegradationAlerts } from './degradation-alerts.js';
import { DegradedMode } from './degraded-mode.js';
import { DynamicAllocation } from './dynamic-allocation.js';
import { InstanceOwnership } from './instance-ownership.js';
import { packageVersion } from './package-version.js';
import { watchConfigCentre } from './config-watch.js';
import { InstanceHeartbeat } from './instance-heartbeat.js';
import { OperatorActions } from './operator-actions.js';
import { OrphanRelease } from './orphan-release.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import {
  databaseOptionsOf,
  exchangeOptionsOf,
  gridSettingsOf,
  instanceIdOf,
  lockOptionsOf,
  membershipOptionsOf,
  rateLimitRulesOf,
  orphanTimeoutOf,
  venueModeOf,
} from './config-mapping.js';

export interface RunOptions {
  readonly logger: Logger;
  /** Start as a hot standby (R1): campaign for the symbols only after one lease TTL. */
  readonly standby: boolean;
  /** How often the status line is logged (default 5 s). */
  readonly statusIntervalMs?: number | undefined;
}

export interface InstanceHandle {
  /** The HTTP interface's URL, when `web.enabled`. */
  readonly url: string | undefined;
  status(): InstanceStatus;
  /** Stops the instance: engines first, then orders (per system.cancel_on_exit), then connections. Idempotent. */
  stop(): Promise<void>;
}

/** How long a stop waits for the spool to reach the database. */
const SPOOL_DRAIN_MS = 10_000;

export async function runInstance(config: QuantMeshConfig, options: RunOptions): Promise<InstanceHandle> {
  const { logger } = options;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = new EngineMetrics(registry);
  const clock = () => Date.now();
  const instanceId = instanceIdOf(config);
  const startedAt = new Date().toISOString();
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const close of closers.reverse())
      await close().catch((error: unknown) => logger.error({ err: error }, 'closing failed'));
  };

  try {
    const database = await openStorage(config, registry, logger);
    closers.push(async () => {
      // A clean stop leaves the database complete; if it is down, the spool file keeps the rest for the next start.
      await database.drain(SPOOL_DRAIN_MS);
      await database.close();
    });
    const lock = await openLock(config, registry);
    closers.push(() => lock.close());
    // Health reports the configured backend, also while degraded mode routes to the database.
    const configuredLock = lock instanceof RoutedLock ? lock.configured : lock;

    const engines = new Map<string, TradingEngine>();
    const exchanges = new Map<string, Exchange>();
    const notifications = new NotificationDispatcher(logger, notificationChannelsOf(config));
    closers.push(() => notifications.flush());
    const alerts = new AlertNotifier(logger, notifications, registry);
    const rateBudgets = new Map<string, SharedRateBudget>();
    for (const name of new Set(config.trading.symbols.map((entry) => entry.exchange))) {
      const requestBudget = await requestBudgetOf(config, name, logger);
      if (requestBudget !== undefined) {
        rateBudgets.set(name, requestBudget);
        closers.push(() => requestBudget.close());
      }
      const exchange = createExchange(
        await withRestoredPositions(exchangeOptionsOf(config, name, requestBudget), database),
      );
      closers.push(() => exchange.close());
      exchanges.set(name, exchange);
      const engine = new TradingEngine({
        exchange,
        database,
        logger,
        metrics,
        clock,
        instanceId,
        alerts,
        executor: new OrderExecutor({
          exchange,
          database,
          lock,
          clock,
          instanceId,
          granularity: config.trading.lockGranularity,
          lockTtlMs: config.distributedLock.defaultTtl,
          onFencingResynchronised: ({ lockKey, refused, recorded }) =>
            alerts.notify({
              kind: 'fencing-resynchronised',
              instanceId,
              time: new Date(clock()).toISOString(),
              message: `the lock backend handed out token ${refused} for ${lockKey} below the recorded ${recorded}; its counter now resumes above it`,
            }),
        }),
        grids: config.trading.symbols
          .filter((entry) => entry.exchange === name)
          .map((entry) => ({
            symbol: entry.symbol,
            settings: gridSettingsOf(config, entry),
            reconcileIntervalMs: entry.reconcileInterval,
          })),
      });
      engines.set(name, engine);
      await engine.start();
    }

    const ownership = new InstanceOwnership({
      lock,
      ttlMs: config.coordination.leaseTtl,
      standby: options.standby,
      instanceId,
      engines,
      logger,
      metrics,
      alerts,
      database,
      clock,
      settle: async () => {
        await database.drain();
      },
      symbols: config.trading.symbols.map((entry) => ({ exchange: entry.exchange, symbol: entry.symbol })),
      orphanTimeoutMs: orphanTimeoutOf(config),
      // Owned nowhere as far as the registry shows (a live heartbeat reporting the lease held).
      orphaned: async ({ exchange, symbol }) =>
        clusterView(await database.getInstances(), clock()).symbols.every(
          (entry) => entry.exchange !== exchange || entry.symbol !== symbol || entry.owner === null,
        ),
    });
    closers.push(() => ownership.stop());
    let heartbeat: InstanceHeartbeat | undefined;
    const degraded =
      lock instanceof RoutedLock
        ? new DegradedMode({
            lock,
            ownership,
            registry: database,
            instanceId,
            ttlMs: config.coordination.leaseTtl,
            symbols: config.trading.symbols.map((entry) => `${entry.exchange}:${entry.symbol}`),
            alerts,
            logger,
            publish: async () => (await heartbeat?.beatNow()) ?? false,
          })
        : undefined;
    // Before the campaigns: an instance started while a degraded survivor leads joins as its standby.
    await degraded?.start();
    // Stopped before the campaigns: a survivor's lease is let go only once it acts on nothing more.
    if (degraded !== undefined) closers.push(() => degraded.stop());
    let allocation: DynamicAllocation | undefined;
    if (config.coordination.allocation === 'dynamic') {
      allocation = new DynamicAllocation({
        membership: new EtcdMembership(membershipOptionsOf(config)),
        instanceId,
        logger,
        ownership,
        symbols: config.trading.symbols.map((entry) => ({ exchange: entry.exchange, symbol: entry.symbol })),
      });
      // Closed before the campaigns stop: leaving first lets the others rebalance at once.
      closers.push(() => allocation!.stop());
      allocation.start();
    } else {
      ownership.start();
    }

    const totals = new StoredTradeTotals(database, engines.keys());
    const totalsWarnings = new WarningRateLimit(logger);
    const refreshTotals = () =>
      totals
        .refresh()
        .catch((error: unknown) =>
          totalsWarnings.warn(
            'refresh',
            { err: error },
            'stored trade totals not refreshed; the status shows the last ones',
          ),
        );
    await refreshTotals();
    const symbols = (): (SymbolStatus & { ownedSince?: number | undefined })[] =>
      [...engines.values()]
        .flatMap((engine) => engine.summaries())
        .map((summary) => ({
          ...summary,
          ...totals.figures(summary.exchange, summary.symbol),
          ownership: ownership.state(summary.exchange, summary.symbol),
          ownedSince: ownership.ownedSince(summary.exchange, summary.symbol),
        }));
    metrics.observe(symbols);
    const orphans = new OrphanRelease({
      instanceId,
      timeoutMs: orphanTimeoutOf(config),
      symbols,
      ownership,
      alerts,
      logger,
    });
    orphans.start();
    closers.push(async () => orphans.stop());
    registerInstanceInfo(registry, () => ({ instanceId, version: packageVersion(), mode: ownership.mode }));
    registerDegradedMode(registry, () => degraded?.role !== undefined);
    const rateBudgetConditions = () => [...rateBudgets].map(([exchange, budget]) => ({ exchange, ...budget.health }));
    registerRateBudgetState(registry, rateBudgetConditions);
    closers.push(
      startOptInNotifications(config, { database, dispatcher: notifications, instanceId, logger, clock, ownership }),
    );
    const venues = Object.fromEntries([...engines.keys()].map((name) => [name, venueModeOf(config, name)]));
    const status = (): InstanceStatus => ({
      instanceId,
      version: packageVersion(),
      mode: ownership.mode,
      startedAt,
      symbols: symbols(),
      venues,
      allocation: { mode: config.coordination.allocation, members: allocation?.members },
    });
    // Bounded by a third of the lease TTL: the heartbeat waits for it, and a degraded survivor for the heartbeat.
    const healthTimeoutMs = Math.min(5000, Math.max(250, Math.floor(config.coordination.leaseTtl / 3)));
    const health = () =>
      checkHealth(
        [
          { name: `lock:${configuredLock.backend}`, check: (signal) => configuredLock.ping(signal) },
          ...(degraded === undefined ? [] : [degradedModeCheck(degraded)]),
          { name: `database:${database.dialect}`, check: (signal) => database.ping(signal) },
          symbolsHealthCheck(symbols),
          ...(rateBudgets.size === 0 ? [] : [rateBudgetHealthCheck(rateBudgetConditions)]),
        ],
        healthTimeoutMs,
      );
    const degradations = new DegradationAlerts({
      instanceId,
      alerts,
      logger,
      symbols,
      database,
      spool: { depth: () => database.pendingWrites(), maxBytes: config.storage.maxSpoolBytes },
      rateBudgets: rateBudgetConditions,
      onDatabaseAnswered: () => {
        for (const engine of engines.values()) engine.databaseAnswered();
      },
    });
    degradations.start();
    closers.push(() => degradations.stop());

    let url: string | undefined;
    if (config.web.enabled) {
      const http = await startHttpServer({
        host: config.web.host,
        port: config.web.port,
        apiKey: config.web.apiKey,
        instanceId,
        version: packageVersion(),
        registry,
        status,
        health,
        database,
        lockBackend: lock.backend,
        clock,
        control: new OperatorActions({ instanceId, engines, ownership, events: database, logger, clock }),
      });
      url = http.url;
      closers.push(() => http.server.close());
      logger.info({ url }, 'HTTP interface: / (dashboard), /api/openapi.json, /api/cluster, /health, /metrics');
    }

    heartbeat = new InstanceHeartbeat({
      instanceId,
      database,
      leaseTtlMs: config.coordination.leaseTtl,
      logger,
      clock,
      snapshot: async (stopped) => ({
        ...status(),
        url: url === undefined ? undefined : advertisedUrl(config.web.host, url),
        stopped,
        allocation: config.coordination.allocation,
        leaseTtlMs: config.coordination.leaseTtl,
        health: await health(),
      }),
    });
    heartbeat.start();
    // Before the database closes: the last word in the registry is "stopped".
    closers.push(() => heartbeat.stop());

    if (config.configCentre.enabled) {
      const changeGridSettings = async (exchange: string, symbol: string, settings: GridSettings) =>
        engines.get(exchange)?.changeSettings(symbol, settings);
      const changeCredentials = async (exchange: string, credentials: VenueCredentials) => {
        exchanges.get(exchange)?.changeCredentials(credentials);
        engines.get(exchange)?.credentialsChanged();
      };
      closers.push(await watchConfigCentre({ config, logger, changeGridSettings, changeCredentials }));
    }

    const statusTimer = setInterval(
      () => void refreshTotals().then(() => logStatus(logger, status())),
      options.statusIntervalMs ?? 5000,
    );
    statusTimer.unref();
    for (const [name, mode] of Object.entries(venues))
      if (mode === 'paper')
        logger.warn(
          { exchange: name },
          `${name}: PAPER trading: live prices from the venue, orders matched locally, nothing sent to the venue`,
        );
    logStatus(logger, status());

    let stopping: Promise<void> | undefined;
    return {
      url,
      status,
      stop() {
        stopping ??= (async () => {
          clearInterval(statusTimer);
          const stopOptions = {
            cancelOnExit: config.system.cancelOnExit,
            closePositions: config.system.closePositionsOnExit,
            timeoutMs: config.system.stopTimeout,
          };
          // The grids stop (and cancel) while still owned; the leases are released after, by closeAll.
          await Promise.all([...engines.values()].map((engine) => engine.stop(stopOptions)));
          // The last line shows every trade of the run: written first, then read back.
          await database.drain(SPOOL_DRAIN_MS);
          await refreshTotals();
          logStatus(logger, status());
          await closeAll();
          logger.info('instance stopped');
        })();
        return stopping;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

/**
 * The configured lock, metered. A Redis or etcd lock comes with the shared database's lock behind
 * it (RoutedLock) for degraded single-instance mode; the `database` backend has nothing to degrade to.
 */
async function openLock(config: QuantMeshConfig, registry: Registry): Promise<DistributedLock> {
  const options = lockOptionsOf(config);
  const configured = new MeteredLock(await createDistributedLock(options), registry);
  if (options.enabled === false || (options.type !== 'redis' && options.type !== 'etcd')) return configured;
  const database = new MeteredLock(await createDistributedLock({ ...options, type: 'database' }), registry);
  return new RoutedLock(configured, database);
}

/** Failing while degraded, naming the role: `/health` answers 503 for the whole outage. */
function degradedModeCheck(degraded: DegradedMode): HealthCheck {
  return {
    name: 'coordination:degraded-mode',
    check: async () => {
      const role = degraded.role;
      if (role === 'degraded-leader')
        throw new Error('degraded-leader: the lock backend is lost; this instance alone trades every symbol');
      if (role === 'degraded-standby')
        throw new Error('degraded-standby: the lock backend is lost; this instance acts on no symbol');
    },
  };
}

async function openStorage(config: QuantMeshConfig, registry: Registry, logger: Logger): Promise<Database> {
  const options = databaseOptionsOf(config, registry);
  if (config.database.connection.dialect === 'sqlite' && config.database.connection.filename !== ':memory:') {
    await mkdir(dirname(config.database.connection.filename), { recursive: true });
  }
  if (options.spool !== undefined) await mkdir(dirname(options.spool.path), { recursive: true });
  const database = await openDatabase({ ...options, logger });
  // What the spool held at a crash must reach the database before any grid is loaded from it:
  // a grid loaded from a lagging database would apply again what the spool then writes.
  await database.drain();
  return database;
}

/** A live venue's account budget, shared through the lock backend (docs/venues.md); none without known limits. */
async function requestBudgetOf(
  config: QuantMeshConfig,
  name: string,
  logger: Logger,
): Promise<SharedRateBudget | undefined> {
  const rules = rateLimitRulesOf(config, name);
  const apiKey = config.exchanges[name]?.type === 'ccxt' ? config.exchanges[name].apiKey : undefined;
  if (rules.length === 0 || apiKey === undefined) return undefined;
  const { createRateBudget } = await import('../coordination/rate-budget/create-rate-budget.js');
  const warnings = new WarningRateLimit(logger);
  return createRateBudget({
    lock: lockOptionsOf(config),
    venue: name,
    account: accountIdentity(apiKey),
    rules,
    onBackendError: (error) =>
      warnings.warn(
        `rate-budget:${name}`,
        { venue: name, err: error },
        'a rate budget store did not answer: the shared database keeps the budget; with neither, orders wait and reads use the local limiter',
      ),
  });
}

/**
 * A new embedded sim venue (no journal yet, e.g. a database from before the venue was durable)
 * opens with the grids' positions stored in the database, so it resumes trading the same book
 * instead of finding its reduce-only sells refused; a journaled venue replays its own positions
 * and ignores these. A real venue keeps its own positions; nothing to do there.
 */
async function withRestoredPositions(options: ExchangeOptions, database: Database): Promise<ExchangeOptions> {
  if (options.type !== 'sim') return options;
  const positions: Record<string, SimOpeningPosition> = {};
  for (const market of options.markets ?? []) {
    const slots = await database.getSlots(options.name, market.symbol);
    const quantity = slots.reduce((sum, slot) => sum.add(slot.positionQuantity), ZERO);
    if (quantity.isZero()) continue;
    const cost = slots.reduce((sum, slot) => sum.add(slot.positionQuantity.mul(slot.entryPrice)), ZERO);
    positions[market.symbol] = { quantity, entryPrice: cost.div(quantity) };
  }
  return { ...options, positions };
}

/**
 * How the other instances reach this one (operator actions are passed on to a symbol's owner): the
 * listen URL, with the host name in place of a wildcard address.
 */
function advertisedUrl(host: string, listening: string): string {
  if (host !== '0.0.0.0' && host !== '::') return listening;
  const url = new URL(listening);
  url.hostname = hostname();
  return url.origin;
}

/** One line per symbol: what the instance is doing right now, and whether it owns the symbol. */
function logStatus(logger: Logger, status: InstanceStatus): void {
  for (const symbol of status.symbols) {
    logger.info(
      {
        [STATUS_LINE_KEY]: {
          symbol: `${symbol.exchange}:${symbol.symbol}`,
          venue: status.venues[symbol.exchange],
          mode: status.mode,
          ownership: symbol.ownership,
          state: symbol.state,
          price: symbol.price,
          position: symbol.position,
          orders: symbol.workingOrders,
          realizedPnl: symbol.realizedPnl,
          unrealizedPnl: symbol.unrealizedPnl,
          fees: symbol.fees,
          trades: symbol.tradeCount,
        },
      },
      `${symbol.symbol}${status.venues[symbol.exchange] === 'paper' ? ' [paper]' : ''} ${symbol.ownership} ${symbol.state} price=${symbol.price ?? '-'} position=${symbol.position} orders=${symbol.workingOrders} pnl=${symbol.realizedPnl} upnl=${symbol.unrealizedPnl ?? '-'} fees=${symbol.fees} trades=${symbol.tradeCount}`,
    );
  }
}
