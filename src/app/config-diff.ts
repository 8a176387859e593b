/**
 * What a new configuration changes for a running instance (R7), sorted into what can be applied
 * live and what needs a restart. Live: per-symbol grid settings that keep the lattice (order size,
 * windows, order budget, margin lock, leverage check, grid risk control), the log level, and a
 * venue's API credentials (a refused key fixed without a restart heals its faulted symbols).
 * Everything else (price_interval fixes the lattice; the database, lock, venues' other keys,
 * symbol list, reconcile interval, web ... are wired at start) is listed as needing a restart, and
 * the instance keeps running with its current value.
 */
import type { QuantMeshConfig } from '../config/load-config.js';
import { redactConfig } from '../config/redact-config.js';
import type { SymbolConfig } from './config-mapping.js';

/** One changed key, in the file's vocabulary, with its old and new value (secrets masked). */
export interface KeyChange {
  readonly key: string;
  readonly from: unknown;
  readonly to: unknown;
}

export interface SymbolChange {
  /** The symbol's entry as it runs after the change (keys needing a restart keep their old value). */
  readonly entry: SymbolConfig;
  readonly changes: readonly KeyChange[];
}

/** A venue whose API credentials changed (`exchanges.<name>.api_key`, `secret_key`, `passphrase`). */
export interface CredentialsChange {
  readonly exchange: string;
  /** The keys that changed, values masked. */
  readonly changes: readonly KeyChange[];
}

export interface ConfigDiff {
  readonly symbols: readonly SymbolChange[];
  readonly credentials: readonly CredentialsChange[];
  readonly logLevel: KeyChange | undefined;
  /** Keys (file vocabulary) whose new value waits for a restart. */
  readonly restartNeeded: readonly string[];
  /** The configuration the instance runs once the live changes are applied. */
  readonly running: QuantMeshConfig;
}

const LIVE_SYMBOL_KEYS: ReadonlySet<string> = new Set([
  'orderQuantity',
  'buyWindowSize',
  'sellWindowSize',
  'minOrderValue',
  'orderCleanupThreshold',
  'cleanupBatchSize',
  'marginLockDurationSeconds',
  'maxLeverage',
  'gridRiskControl',
]);

const CREDENTIAL_KEYS: ReadonlySet<string> = new Set(['apiKey', 'secretKey', 'passphrase']);

type Path = readonly (string | number)[];

export function diffConfig(running: QuantMeshConfig, next: QuantMeshConfig): ConfigDiff {
  const shownBefore = redactConfig(running);
  const shownAfter = redactConfig(next);
  const change = (path: Path): KeyChange => ({
    key: keyName(path),
    from: at(shownBefore, path),
    to: at(shownAfter, path),
  });
  const restartNeeded: string[] = [];

  // Every section but the symbols and the log level; `instance` and `config_centre` come from the bootstrap file.
  const credentialPaths = new Map<string, Path[]>();
  for (const path of changedPaths(wiredAtStart(running), wiredAtStart(next), [])) {
    const [section, venue, key] = path;
    const live =
      section === 'exchanges' &&
      path.length === 3 &&
      CREDENTIAL_KEYS.has(String(key)) &&
      running.exchanges[String(venue)]?.type === 'ccxt' &&
      next.exchanges[String(venue)]?.type === 'ccxt';
    if (live) credentialPaths.set(String(venue), [...(credentialPaths.get(String(venue)) ?? []), path]);
    else restartNeeded.push(keyName(path));
  }
  const credentials = [...credentialPaths].map(([exchange, paths]) => ({ exchange, changes: paths.map(change) }));
  if (running.trading.lockGranularity !== next.trading.lockGranularity) restartNeeded.push('trading.lock_granularity');
  for (const key of ['cancelOnExit', 'closePositionsOnExit', 'stopTimeout'] as const) {
    if (running.system[key] !== next.system[key]) restartNeeded.push(keyName(['system', key]));
  }
  const logLevel = running.system.logLevel === next.system.logLevel ? undefined : change(['system', 'logLevel']);

  const nextById = new Map(next.trading.symbols.map((entry, index) => [symbolId(entry), { entry, index }]));
  const runningIds = new Set(running.trading.symbols.map(symbolId));
  if (nextById.size !== runningIds.size || [...nextById.keys()].some((id) => !runningIds.has(id)))
    restartNeeded.push('trading.symbols (symbols added or removed)');

  const symbols: SymbolChange[] = [];
  const entries = running.trading.symbols.map((entry) => {
    const matched = nextById.get(symbolId(entry));
    if (matched === undefined) return entry;
    const live: KeyChange[] = [];
    for (const path of changedPaths(entry, matched.entry, [])) {
      const full = ['trading', 'symbols', matched.index, ...path];
      if (LIVE_SYMBOL_KEYS.has(String(path[0])))
        live.push({
          ...change(full),
          from: at(shownBefore, ['trading', 'symbols', running.trading.symbols.indexOf(entry), ...path]),
        });
      else restartNeeded.push(keyName(full));
    }
    if (live.length === 0) return entry;
    const updated: SymbolConfig = {
      ...matched.entry,
      priceInterval: entry.priceInterval,
      reconcileInterval: entry.reconcileInterval,
    };
    symbols.push({ entry: updated, changes: live });
    return updated;
  });

  const exchanges = { ...running.exchanges };
  for (const { exchange } of credentials) {
    const [before, after] = [running.exchanges[exchange], next.exchanges[exchange]];
    if (before?.type === 'ccxt' && after?.type === 'ccxt')
      exchanges[exchange] = {
        ...before,
        apiKey: after.apiKey,
        secretKey: after.secretKey,
        passphrase: after.passphrase,
      };
  }
  return {
    symbols,
    credentials,
    logLevel,
    restartNeeded,
    running: {
      ...running,
      exchanges,
      system: { ...running.system, logLevel: next.system.logLevel },
      trading: { ...running.trading, symbols: entries },
    },
  };
}

/** The sections only a start reads: all but the symbols and the log level (checked one by one) and the bootstrap file's `instance` and `config_centre`. */
function wiredAtStart(config: QuantMeshConfig): Partial<QuantMeshConfig> {
  const { trading: _trading, system: _system, instance: _instance, configCentre: _centre, ...rest } = config;
  return rest;
}

function symbolId(entry: SymbolConfig): string {
  return `${entry.exchange}:${entry.symbol}`;
}

/** Paths (below `path`) where two loaded configurations differ; a derived `database.connection` is covered by `database.dsn`. */
function changedPaths(before: unknown, after: unknown, path: Path): Path[] {
  if (path.length === 2 && path[0] === 'database' && path[1] === 'connection') return [];
  if (before === after) return [];
  const isContainer = (value: unknown) => value !== null && typeof value === 'object';
  if (!isContainer(before) || !isContainer(after) || Array.isArray(before) !== Array.isArray(after)) return [path];
  if (Array.isArray(before) && before.length !== (after as unknown[]).length) return [path];
  const keys = new Set([...Object.keys(before as object), ...Object.keys(after as object)]);
  return [...keys].flatMap((key) =>
    changedPaths((before as Record<string, unknown>)[key], (after as Record<string, unknown>)[key], [
      ...path,
      Array.isArray(before) ? Number(key) : key,
    ]),
  );
}

function at(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path)
    current =
      current === null || typeof current !== 'object' ? undefined : (current as Record<string | number, unknown>)[key];
  return current;
}

/** `['trading', 'symbols', 0, 'orderQuantity']` → `trading.symbols[0].order_quantity`. */
function keyName(path: Path): string {
  return path.reduce<string>(
    (name, key) =>
      typeof key === 'number'
        ? `${name}[${key}]`
        : `${name}${name === '' ? '' : '.'}${key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)}`,
    '',
  );
}
