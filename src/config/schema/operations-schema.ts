/** The operational sections: `system`, `risk_control`, `storage`, `coordination`, `web`, `notifications`. */
import { DEFAULTS } from '../defaults.js';
import { report } from './field.js';
import { boolean, decimal, duration, integer, oneOf, string, url } from './scalars.js';
import { list, object, optional, withDefault } from './structure.js';
import { symbolName } from './exchange-schema.js';
import { ALERT_KIND_NAMES } from '../../observability/alert-notifier.js';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
/** Candle intervals the venues share (ccxt timeframes). */
const CANDLE_INTERVALS = ['1m', '3m', '5m', '15m', '30m', '1h', '2h', '4h', '1d'] as const;

export const systemSchema = object({
  log_level: withDefault(oneOf(LOG_LEVELS), DEFAULTS.system.logLevel),
  cancel_on_exit: withDefault(boolean(), DEFAULTS.system.cancelOnExit),
  close_positions_on_exit: withDefault(boolean(), DEFAULTS.system.closePositionsOnExit),
  stop_timeout: withDefault(duration(), DEFAULTS.system.stopTimeout),
});

const riskDefaults = DEFAULTS.riskControl;

export const riskControlSchema = object(
  {
    enabled: withDefault(boolean(), riskDefaults.enabled),
    monitor_symbols: list(symbolName()),
    interval: withDefault(oneOf(CANDLE_INTERVALS), riskDefaults.interval),
    volume_multiplier: withDefault(decimal({ positive: true }), riskDefaults.volumeMultiplier),
    average_window: withDefault(integer({ min: 2, max: 1000 }), riskDefaults.averageWindow),
    recovery_threshold: withDefault(integer({ min: 1 }), riskDefaults.recoveryThreshold),
  },
  {
    check(value, locate, ctx) {
      if (!value.enabled || value.monitorSymbols === undefined) return;
      if (value.monitorSymbols.length === 0)
        report(ctx, locate('monitor_symbols'), 'needs at least one symbol when risk_control is enabled');
      else if (value.recoveryThreshold !== undefined && value.recoveryThreshold > value.monitorSymbols.length) {
        report(ctx, locate('recovery_threshold'), 'cannot exceed the number of monitor_symbols', {
          value: String(value.recoveryThreshold),
          allowed: `1 to ${value.monitorSymbols.length}`,
        });
      }
    },
  },
);

const storageDefaults = DEFAULTS.storage;

/** The write-behind buffer and its durable spool (R10: database down). */
export const storageSchema = object({
  buffer_size: withDefault(integer({ min: 1 }), storageDefaults.bufferSize),
  max_spool_bytes: withDefault(integer({ min: 1024 }), storageDefaults.maxSpoolBytes),
  batch_size: withDefault(integer({ min: 1, max: 10_000 }), storageDefaults.batchSize),
  flush_interval: withDefault(duration(), storageDefaults.flushIntervalMs),
  spool_path: withDefault(string({ nonEmpty: true }), storageDefaults.spoolPath),
});

const coordinationDefaults = DEFAULTS.coordination;

/** Symbol allocation (R6) and hot standby (R1). */
export const coordinationSchema = object(
  {
    allocation: withDefault(oneOf(['static', 'dynamic']), coordinationDefaults.allocation),
    lease_ttl: withDefault(duration(), coordinationDefaults.leaseTtlMs),
    heartbeat_interval: withDefault(duration(), coordinationDefaults.heartbeatIntervalMs),
    standby: withDefault(boolean(), coordinationDefaults.standby),
    // Absent: the longer of its default and two lease TTLs (orphanTimeoutOf).
    orphan_timeout: optional(duration()),
  },
  {
    check(value, locate, ctx) {
      if (
        value.heartbeatInterval !== undefined &&
        value.leaseTtl !== undefined &&
        value.heartbeatInterval >= value.leaseTtl
      ) {
        report(
          ctx,
          locate('heartbeat_interval'),
          'must be shorter than lease_ttl, or the lease expires between heartbeats',
          { value: `${value.heartbeatInterval}ms`, allowed: `< ${value.leaseTtl}ms` },
        );
      }
      if (value.orphanTimeout !== undefined && value.leaseTtl !== undefined && value.orphanTimeout <= value.leaseTtl) {
        report(
          ctx,
          locate('orphan_timeout'),
          'must be longer than lease_ttl, or resting orders are cancelled before another owner could take the symbol over',
          { value: `${value.orphanTimeout}ms`, allowed: `> ${value.leaseTtl}ms` },
        );
      }
    },
  },
);

export const webSchema = object({
  enabled: withDefault(boolean(), DEFAULTS.web.enabled),
  host: withDefault(string({ nonEmpty: true }), DEFAULTS.web.host),
  port: withDefault(integer({ min: 0, max: 65_535 }), DEFAULTS.web.port),
  api_key: optional(string({ secret: true, nonEmpty: true })),
});

/** Which notifications a channel takes: every alert kind unless listed; trades and daily summaries opt-in. */
const channelFilter = {
  alerts: withDefault(list(oneOf(ALERT_KIND_NAMES)), [...ALERT_KIND_NAMES]),
  trades: withDefault(boolean(), false),
  daily_summary: withDefault(boolean(), false),
};
const timeout = withDefault(duration(), DEFAULTS.notifications.timeoutMs);

export const notificationsSchema = object({
  webhook: optional(
    object({
      // A webhook URL usually embeds its token: only scheme and host are shown.
      url: url({ hidePath: true }),
      timeout,
      ...channelFilter,
    }),
  ),
  telegram: optional(
    object({
      bot_token: string({ secret: true, nonEmpty: true }),
      chat_id: string({ nonEmpty: true }),
      api_url: withDefault(url(), DEFAULTS.notifications.telegramApiUrl),
      timeout,
      ...channelFilter,
    }),
  ),
  slack: optional(
    object({
      // The incoming webhook's path is its secret.
      webhook_url: url({ hidePath: true }),
      timeout,
      ...channelFilter,
    }),
  ),
  daily_summary_time: withDefault(
    string({ pattern: { test: /^([01]\d|2[0-3]):[0-5]\d$/, allowed: 'HH:MM (UTC), e.g. 00:05' } }),
    DEFAULTS.notifications.dailySummaryTime,
  ),
});
