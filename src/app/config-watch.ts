/**
 * Live configuration (R7): watches the instance's document in the configuration centre and applies
 * each change to the running instance without a restart.
 *
 * A new document is checked exactly like at start; an invalid one (or a deleted one) is logged with
 * each problem's key path and reason (values masked for secrets) and ignored: the instance keeps
 * running on its last good configuration and never stops because of what was written to etcd.
 * A valid one is compared with what runs (config-diff.ts): the log level, a venue's API credentials
 * and the per-symbol grid settings that keep the lattice are applied at once, the grid's through its
 * pure core (SettingsChanged, queued like any event); for every other changed key one warning lists
 * what needs a restart. Each applied change is logged with its keys, old → new (secrets masked: the
 * document's secret values join the logger's scrubber before anything about it is logged).
 */
import type { Logger } from 'pino';
import { ConfigError, formatConfigIssue } from '../config/errors.js';
import type { QuantMeshConfig } from '../config/load-config.js';
import { configSecrets } from '../config/redact-config.js';
import type { ConfigChange } from '../coordination/config-centre/config-centre.js';
import type { VenueCredentials } from '../exchange/exchange.js';
import { maskSecrets } from '../observability/logger.js';
import type { GridSettings } from '../strategy/grid/grid-settings.js';
import { diffConfig } from './config-diff.js';
import { gridSettingsOf } from './config-mapping.js';
import { openConfigCentre, storedConfigOf } from './instance-config.js';

export interface ConfigWatchOptions {
  /** The configuration the instance started with (from the configuration centre). */
  readonly config: QuantMeshConfig;
  readonly logger: Logger;
  /** Hands new grid settings to the engine of venue `exchange`: its grid takes them now, or when it starts. */
  readonly changeGridSettings: (exchange: string, symbol: string, settings: GridSettings) => Promise<void>;
  /** Hands venue `exchange` new API credentials: later requests are signed with them, and its faulted symbols retry now. */
  readonly changeCredentials: (exchange: string, credentials: VenueCredentials) => Promise<void>;
  /** Variables for `${VAR}` in the document (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Starts the watch (resolves once it is established); the returned function stops it. */
export async function watchConfigCentre(options: ConfigWatchOptions): Promise<() => Promise<void>> {
  const { logger } = options;
  const bootstrap = { instance: options.config.instance, configCentre: options.config.configCentre };
  const name = bootstrap.instance.id!;
  const centre = openConfigCentre(bootstrap);
  const key = centre.keyOf(name);
  let running = options.config;
  // Changes are applied one after the other, in revision order.
  let applying = Promise.resolve();
  const controller = new AbortController();
  const onChange = (change: ConfigChange) => {
    applying = applying
      .then(async () => {
        running = await apply(running, change, key, options);
      })
      .catch((error: unknown) =>
        logger.error({ key, revision: String(change.revision), err: error }, 'configuration change not applied'),
      );
  };
  try {
    await centre.watch(name, onChange, controller.signal, {
      onTrouble: (error) =>
        logger.warn(
          { key, err: error },
          'configuration centre watch interrupted; it resumes by itself and reads the document again',
        ),
    });
  } catch (error) {
    await centre.close();
    throw error;
  }
  logger.info({ key }, 'watching the configuration centre: changes apply without a restart');
  return async () => {
    controller.abort();
    await applying;
    await centre.close();
  };
}

async function apply(
  running: QuantMeshConfig,
  change: ConfigChange,
  key: string,
  options: ConfigWatchOptions,
): Promise<QuantMeshConfig> {
  const { logger } = options;
  const revision = String(change.revision);
  if (change.text === undefined) {
    logger.warn({ key, revision }, 'configuration deleted from the configuration centre: keeping the last good one');
    return running;
  }
  let next: QuantMeshConfig;
  try {
    next = storedConfigOf(change.text, { instance: running.instance, configCentre: running.configCentre }, key, {
      env: options.env,
      standby: running.coordination.standby,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    logger.error(
      { key, revision, problems: error.issues.map(formatConfigIssue) },
      'invalid configuration in the configuration centre ignored: keeping the last good one',
    );
    return running;
  }
  maskSecrets(logger, configSecrets(next));
  const diff = diffConfig(running, next);
  // Every grid's new settings are built before any is applied: a document one grid refuses changes none.
  let settings: { entry: { exchange: string; symbol: string }; grid: GridSettings; symbol: string }[];
  try {
    settings = diff.symbols.map(({ entry }) => ({
      entry,
      grid: gridSettingsOf(diff.running, entry),
      symbol: `${entry.exchange}:${entry.symbol}`,
    }));
  } catch (error) {
    logger.error(
      { key, revision, err: error },
      'configuration in the configuration centre ignored: its grid settings are refused; keeping the last good one',
    );
    return running;
  }
  if (diff.logLevel !== undefined) {
    // Logged before the switch, so a quieter level still shows why the lines stopped.
    logger.info({ key, revision, changes: [diff.logLevel] }, 'configuration applied: log level');
    logger.level = diff.running.system.logLevel;
  }
  for (const { exchange, changes } of diff.credentials) {
    const venue = diff.running.exchanges[exchange];
    if (venue?.type !== 'ccxt') continue;
    await options.changeCredentials(exchange, {
      apiKey: venue.apiKey,
      apiSecret: venue.secretKey,
      password: venue.passphrase,
    });
    logger.info(
      { key, revision, exchange, changes },
      `configuration applied: ${exchange} credentials (${changes.map((c) => c.key.replace(/^exchanges\.[^.]+\./, '')).join(', ')})`,
    );
  }
  for (const [index, { entry, grid, symbol }] of settings.entries()) {
    await options.changeGridSettings(entry.exchange, entry.symbol, grid);
    logger.info(
      { key, revision, symbol, changes: diff.symbols[index]!.changes },
      `configuration applied: ${symbol} ${diff.symbols[index]!.changes.map((c) => c.key.replace(/^trading\.symbols\[\d+\]\./, '')).join(', ')}`,
    );
  }
  if (diff.restartNeeded.length > 0) {
    logger.warn(
      { key, revision, keys: diff.restartNeeded },
      `configuration changed: restart needed to apply ${diff.restartNeeded.join(', ')}`,
    );
  }
  if (
    diff.logLevel === undefined &&
    diff.symbols.length === 0 &&
    diff.credentials.length === 0 &&
    diff.restartNeeded.length === 0
  )
    logger.debug({ key, revision }, 'configuration unchanged');
  return diff.running;
}
