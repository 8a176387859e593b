/**
 * From the loaded configuration to what the core and the adapters take: one place, used by the
 * composition root (`run-instance.ts`) and by the backtest, so both trade the same settings.
 */
import type { QuantMeshConfig } from '../config/load-config.js';
import { dec } from '../domain/decimal.js';
import { type SimSymbolSettings, simSymbolsNamed } from '../exchange/sim/sim-settings.js';
import { type GridSettings, gridSettings } from '../strategy/grid/grid-settings.js';

export type SymbolConfig = QuantMeshConfig['trading']['symbols'][number];

const MS_PER_YEAR = 365 * 24 * 3600 * 1000;

/** The grid settings of one `trading.symbols` entry, with its venue's fee rate. */
export function gridSettingsOf(config: QuantMeshConfig, entry: SymbolConfig): GridSettings {
  const venue = config.exchanges[entry.exchange];
  const risk = entry.gridRiskControl;
  return gridSettings({
    priceInterval: entry.priceInterval, orderQuantity: entry.orderQuantity, buyWindowSize: entry.buyWindowSize,
    sellWindowSize: entry.sellWindowSize, minOrderValue: entry.minOrderValue, orderCleanupThreshold: entry.orderCleanupThreshold,
    cleanupBatchSize: entry.cleanupBatchSize,
    // The loader normalises every duration to milliseconds; the grid counts this one in whole seconds.
    marginLockDurationSeconds: Math.ceil(entry.marginLockDurationSeconds / 1000),
    feeRate: dec(venue?.feeRate ?? '0.0002'), maxLeverage: entry.maxLeverage,
    risk: risk.enabled ? { enabled: true, maxGridLayers: risk.maxGridLayers, stopLossRatio: risk.stopLossRatio, takeProfitTriggerRatio: risk.takeProfitTriggerRatio, trailingTakeProfitRatio: risk.trailingTakeProfitRatio } : undefined,
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
    ...defaults, initialPrice: dec(listed.initialPrice), tickSize: dec(listed.tickSize), stepSize: dec(listed.stepSize),
    minQuantity: dec(listed.stepSize), minNotional: dec(listed.minNotional), volatility,
  };
}
