/**
 * From the loaded configuration to what the core and the adapters take: one place, used by the
 * composition root (`run-instance.ts`) and by the backtest, so both trade the same settings.
 */
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import type { QuantMeshConfig } from '../config/load-config.js';
import type { EtcdConfigCentreOptions } from '../coordination/config-centre/etcd/etcd-config-centre.js';
import type { EtcdMembershipOptions } from '../coordination/membership/etcd/etcd-membership.js';
import type { DistributedLockOptions } from '../coordination/lock/create-distributed-lock.js';
import type { ExchangeOptions } from '../exchange/create-exchange.js';
import type { RequestBudget } from '../exchange/request-budget.js';
import type { DatabaseOptions } from '../storage/open-database.js';
import type { VenueMode } from '../server/http-server.js';
import { DEFAULTS } from '../config/defaults.js';
import { dec } from '../domain/decimal.js';
import type { RateLimitRule } from '../coordination/rate-budget/budget-windows.js';
import { CCXT_VENUE_PROFILES } from '../exchange/ccxt/ccxt-venue-profiles.js';
import { type SimSymbolSettings, simSymbolsNamed } from '../exchange/sim/sim-settings.js';
import { type GridSettings, gridSettings } from '../strategy/grid/grid-settings.js';

export type SymbolConfig = QuantMeshConfig['trading']['symbols'][number];

const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

/** The grid settings of one `trading.symbols` entry, with its venue's fee rate. */
export function gridSettingsOf(config: QuantMeshConfig, entry: SymbolConfig): GridSettings {
  const venue = config.exchanges[entry.exchange];
  const risk = entry.gridRiskControl;
  return gridSettings({
    priceInterval: entry.priceInterval,
    orderQuantity: entry.orderQuantity,
    buyWindowSize: entry.buyWindowSize,
    sellWindowSize: entry.sellWindowSize,
    minOrderValue: entry.minOrderValue,
    orderCleanupThreshold: entry.orderCleanupThreshold,
    cleanupBatchSize: entry.cleanupBatchSize,
    // The loader normalises every duration to milliseconds; the grid counts this one in whole seconds.
    marginLockDurationSeconds: Math.ceil(entry.marginLockDurationSeconds / 1000),
    feeRate: dec(venue?.feeRate ?? '0.0002'),
    maxLeverage: entry.maxLeverage,
    risk: risk.enabled
      ? {
          enabled: true,
          maxGridLayers: risk.maxGridLayers,
          stopLossRatio: risk.stopLossRatio,
          takeProfitTriggerRatio: risk.takeProfitTriggerRatio,
          trailingTakeProfitRatio: risk.trailingTakeProfitRatio,
        }
      : undefined,
  });
}

/**
 * The simulated market of `symbol` on sim venue `exchange`: its listed settings (or the built-in
 * defaults for the name), with the config's per-step volatility turned into the random walk's
 * annualised one.
 */
export function simSymbolOf(config: QuantMeshConfig, exchange: string, symbol: string): SimSymbolSettings {
  const venue = config.exchanges[exchange];
  const sim = venue?.type === 'sim' ? venue : undefined;
  const listed = sim?.symbols.find((candidate) => candidate.symbol === symbol);
  const defaults = { ...(simSymbolsNamed([symbol])[0] as SimSymbolSettings), type: venue?.market ?? 'future' };
  const tickMs = sim?.tickInterval ?? 1000;
  const volatility = Number(sim?.volatility ?? '0.001') / Math.sqrt(tickMs / MS_PER_YEAR);
  if (listed === undefined) return { ...defaults, volatility };
  return {
    ...defaults,
    initialPrice: dec(listed.initialPrice),
    tickSize: dec(listed.tickSize),
    stepSize: dec(listed.stepSize),
    minQuantity: dec(listed.stepSize),
    minNotional: dec(listed.minNotional),
    volatility,
  };
}

/** `database` + `storage` → the storage factory's options; the spool file is per instance. */
export function databaseOptionsOf(config: QuantMeshConfig, registry?: Registry): DatabaseOptions {
  const { database, storage } = config;
  return {
    type: database.type,
    dsn: database.dsn,
    maxOpenConns: database.maxOpenConns,
    maxIdleConns: database.maxIdleConns,
    connMaxLifetimeSeconds: Math.round(database.connMaxLifetime / 1000),
    spool: {
      path: join(storage.spoolPath, `${instanceIdOf(config)}.spool`),
      batchSize: storage.batchSize,
      flushIntervalMs: storage.flushInterval,
      maxSpoolBytes: storage.maxSpoolBytes,
    },
    registry,
  };
}

/** `distributed_lock` → the lock factory's options (`type: database` uses the configured database). */
export function lockOptionsOf(config: QuantMeshConfig): DistributedLockOptions {
  const lock = config.distributedLock;
  const redis = lock.redis;
  const etcd = lock.etcd;
  return {
    enabled: lock.enabled,
    type: lock.type,
    prefix: lock.prefix,
    redis:
      redis === undefined
        ? undefined
        : {
            addr: redis.addr,
            addrs: redis.addrs,
            cluster: redis.cluster,
            password: redis.password === '' ? undefined : redis.password,
            sentinel:
              redis.sentinels === undefined
                ? undefined
                : {
                    sentinels: redis.sentinels,
                    masterName: redis.masterName!,
                    sentinelPassword: redis.sentinelPassword === '' ? undefined : redis.sentinelPassword,
                  },
            db: redis.db,
            poolSize: redis.poolSize,
            tls: redis.tls,
          },
    // The etcd session's lease carries the ownership leases: a dead instance's symbols are free
    // once it runs out, so it lasts `coordination.lease_ttl` (etcd grants whole seconds, at least 2).
    etcd:
      etcd === undefined
        ? undefined
        : {
            endpoints: etcdUrls(etcd.endpoints, etcd.tls),
            auth: etcd.auth,
            sessionTtlSeconds: Math.max(2, Math.ceil(config.coordination.leaseTtl / 1000)),
          },
    sql: { dialect: config.database.type, connection: config.database.dsn },
  };
}

/**
 * Dynamic allocation → the etcd membership's options: the lock's etcd (the configuration requires
 * it), with the members under the lock's prefix, so clusters sharing an etcd keep apart.
 */
export function membershipOptionsOf(config: QuantMeshConfig): EtcdMembershipOptions {
  const etcd = config.distributedLock.etcd;
  if (etcd === undefined) throw new RangeError('dynamic allocation needs distributed_lock.etcd');
  return {
    endpoints: etcdUrls(etcd.endpoints, etcd.tls),
    auth: etcd.auth,
    prefix: `${config.distributedLock.prefix}members/`,
    ttlMs: config.coordination.leaseTtl,
    heartbeatMs: config.coordination.heartbeatInterval,
  };
}

/** `config_centre` → the etcd configuration centre's options. */
export function configCentreOptionsOf(section: QuantMeshConfig['configCentre']): EtcdConfigCentreOptions {
  return { endpoints: etcdUrls(section.endpoints, section.tls), auth: section.auth, prefix: section.prefix };
}

/** etcd endpoints as URLs: `host:port` gets the scheme `tls` asks for. */
function etcdUrls(endpoints: readonly string[], tls: boolean): string[] {
  return endpoints.map((endpoint) =>
    /^https?:\/\//.test(endpoint) ? endpoint : `${tls ? 'https' : 'http'}://${endpoint}`,
  );
}

/** `exchanges.<name>` → the exchange factory's options. A real venue's name is its ccxt id (`binance` futures → `binanceusdm`). */
export function exchangeOptionsOf(
  config: QuantMeshConfig,
  name: string,
  requestBudget?: RequestBudget,
): ExchangeOptions {
  const venue = config.exchanges[name];
  if (venue === undefined) throw new RangeError(`exchanges.${name} is not configured`);
  if (venue.type === 'sim') {
    const symbols = config.trading.symbols.filter((entry) => entry.exchange === name).map((entry) => entry.symbol);
    const listed = new Set([...venue.symbols.map((entry) => entry.symbol), ...symbols]);
    return {
      type: 'sim',
      name,
      marketType: venue.market,
      seed: venue.seed,
      stepIntervalMs: venue.tickInterval,
      markets: [...listed].map((symbol) => simSymbolOf(config, name, symbol)),
      feeRate: { maker: venue.feeRate, taker: venue.feeRate },
      // The embedded venue is durable beside the instance's spool, so a restart finds the world its database remembers.
      journalPath: simJournalPathOf(config, name),
    };
  }
  return {
    type: 'ccxt',
    name,
    marketType: venue.market,
    ccxtId: name === 'binance' && venue.market === 'future' ? 'binanceusdm' : name,
    apiKey: venue.apiKey,
    apiSecret: venue.secretKey,
    password: venue.passphrase,
    testnet: venue.testnet,
    baseUrl: venue.baseUrl,
    requestBudget,
    // A paper account is durable like the embedded sim, in a journal of its own beside the spool.
    paper: venue.paper
      ? {
          symbols: config.trading.symbols.filter((entry) => entry.exchange === name).map((entry) => entry.symbol),
          feeRate: { maker: venue.feeRate, taker: venue.feeRate },
          journalPath: simJournalPathOf(config, name),
        }
      : undefined,
  };
}

/**
 * The shared rate budget's limits of venue `name` (`exchanges.<name>.rate_limits`, else the venue
 * profile's published ones), each scaled by `use_fraction`; empty when nothing is known (no budget).
 */
export function rateLimitRulesOf(config: QuantMeshConfig, name: string): RateLimitRule[] {
  const venue = config.exchanges[name];
  if (venue === undefined || venue.type === 'sim' || venue.paper) return [];
  const options = exchangeOptionsOf(config, name);
  const known = options.type === 'ccxt' ? CCXT_VENUE_PROFILES[options.ccxtId]?.rateLimits?.[venue.market] : undefined;
  const { rateLimits } = venue;
  const fraction = dec(rateLimits.useFraction);
  const rule = (ruleName: string, counts: 'weight' | 'orders', limit: number | undefined, windowMs: number) =>
    limit === undefined
      ? []
      : [{ name: ruleName, counts, windowMs, limit: Math.max(1, dec(limit).mul(fraction).floor().toNumber()) }];
  return [
    ...rule('weight-1m', 'weight', rateLimits.weightPerMinute ?? known?.weightPerMinute, 60_000),
    ...rule('orders-10s', 'orders', rateLimits.ordersPer10s ?? known?.ordersPer10Seconds, 10_000),
    ...rule('orders-1m', 'orders', rateLimits.ordersPerMinute ?? known?.ordersPerMinute, 60_000),
  ];
}

/** How venue `name` trades: the embedded simulator, paper on a real venue's prices, or live. */
export function venueModeOf(config: QuantMeshConfig, name: string): VenueMode {
  const venue = config.exchanges[name];
  if (venue?.type === 'sim') return 'simulated';
  return venue?.paper === true ? 'paper' : 'live';
}

/** Where the embedded sim venue (or paper account) `name` of this instance keeps its journal, in the spool's directory (docs/venues.md). */
export function simJournalPathOf(config: QuantMeshConfig, name: string): string {
  return join(config.storage.spoolPath, `${instanceIdOf(config)}.sim-${name}.journal`);
}

/** The instance's id; without a lock (one instance) it is optional and derived from its index. */
export function instanceIdOf(config: QuantMeshConfig): string {
  return config.instance.id ?? `instance-${config.instance.index}`;
}

/** `coordination.orphan_timeout`, or when absent the longer of its default and two lease TTLs. */
export function orphanTimeoutOf(config: QuantMeshConfig): number {
  const { orphanTimeout, leaseTtl } = config.coordination;
  return orphanTimeout ?? Math.max(DEFAULTS.coordination.orphanTimeoutMs, 2 * leaseTtl);
}
