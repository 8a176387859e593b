/**
 * Every default of the configuration, in one place (documented key by key in docs/configuration.md).
 * Durations are milliseconds; prices, quantities and ratios are exact decimal strings.
 */
export const DEFAULTS = {
  instance: { index: 0 },
  database: {
    type: 'sqlite',
    sqliteDsn: './data/quantmesh.db',
    maxOpenConns: 100,
    maxIdleConns: 10,
    connMaxLifetimeMs: 3_600_000,
  },
  distributedLock: {
    enabled: false,
    type: 'redis',
    prefix: 'quantmesh:lock:',
    defaultTtlMs: 30_000,
    redis: { password: '', db: 0, poolSize: 10, tls: false },
    etcd: { tls: false },
  },
  configCentre: { enabled: false, prefix: '/quantmesh/config/', tls: false },
  trading: {
    lockGranularity: 'symbol',
    symbol: {
      buyWindowSize: 10,
      reconcileIntervalMs: 60_000,
      orderCleanupThreshold: 50,
      cleanupBatchSize: 10,
      marginLockDurationMs: 10_000,
    },
    gridRiskControl: {
      enabled: false,
      maxGridLayers: 50,
      stopLossRatio: '0.2',
      takeProfitTriggerRatio: '0.1',
      trailingTakeProfitRatio: '0.03',
    },
  },
  exchange: { type: 'ccxt', feeRate: '0.0002', testnet: false, market: 'future' },
  sim: { seed: 1, volatility: '0.001', tickIntervalMs: 1000 },
  system: { logLevel: 'info', cancelOnExit: true, closePositionsOnExit: false, stopTimeout: 10_000 },
  riskControl: {
    enabled: false,
    interval: '1m',
    volumeMultiplier: '3',
    averageWindow: 20,
    recoveryThreshold: 1,
  },
  storage: {
    bufferSize: 10_000,
    maxSpoolBytes: 64 * 1024 * 1024,
    batchSize: 100,
    flushIntervalMs: 1000,
    spoolPath: './data/spool',
  },
  coordination: {
    allocation: 'static',
    leaseTtlMs: 10_000,
    heartbeatIntervalMs: 3000,
    standby: false,
    /** At least this, and at least two lease TTLs, unless configured. */
    orphanTimeoutMs: 60_000,
  },
  web: { enabled: true, host: '127.0.0.1', port: 8080 },
  notifications: { timeoutMs: 5000, telegramApiUrl: 'https://api.telegram.org', dailySummaryTime: '00:00' },
} as const;

/** Venues whose API keys come with a passphrase (ccxt ids). */
export const PASSPHRASE_VENUES: readonly string[] = ['okx', 'kucoin', 'kucoinfutures', 'bitget', 'coinbaseexchange'];
