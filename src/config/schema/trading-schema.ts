/** `trading`: the symbols to run a grid on, with every per-symbol setting of grid-strategy.md, and the lock granularity (R3). */
import { dec } from '../../domain/decimal.js';
import { DEFAULTS } from '../defaults.js';
import { report } from './field.js';
import { derive } from './derive.js';
import { boolean, decimal, duration, integer, oneOf, string } from './scalars.js';
import { list, object, optional, withDefault } from './structure.js';
import { symbolName } from './exchange-schema.js';

const RATIO = { min: '0', max: '1' } as const;
const risk = DEFAULTS.trading.gridRiskControl;

const gridRiskControl = object(
  {
    enabled: withDefault(boolean(), risk.enabled),
    max_grid_layers: withDefault(integer({ min: 1 }), risk.maxGridLayers),
    stop_loss_ratio: withDefault(decimal({ ...RATIO, positive: true }), risk.stopLossRatio),
    take_profit_trigger_ratio: withDefault(decimal({ positive: true }), risk.takeProfitTriggerRatio),
    trailing_take_profit_ratio: withDefault(decimal({ ...RATIO, positive: true }), risk.trailingTakeProfitRatio),
  },
  {
    check(value, locate, ctx) {
      const { takeProfitTriggerRatio: trigger, trailingTakeProfitRatio: trailing } = value;
      if (trigger !== undefined && trailing !== undefined && dec(trailing).gte(trigger)) {
        report(
          ctx,
          locate('trailing_take_profit_ratio'),
          'must be below take_profit_trigger_ratio, or the trailing stop fires at once',
          { value: trailing, allowed: `< ${trigger}` },
        );
      }
    },
  },
);

const symbolDefaults = DEFAULTS.trading.symbol;

const symbolFields = object(
  {
    exchange: string({ nonEmpty: true }),
    symbol: symbolName(),
    price_interval: decimal({ positive: true }),
    /** Quote amount per order (e.g. 30 USDT), divided by the slot price. */
    order_quantity: decimal({ positive: true }),
    buy_window_size: withDefault(integer({ min: 1, max: 500 }), symbolDefaults.buyWindowSize),
    sell_window_size: optional(integer({ min: 1, max: 500 })),
    min_order_value: optional(decimal({ positive: true })),
    reconcile_interval: withDefault(duration(), symbolDefaults.reconcileIntervalMs),
    order_cleanup_threshold: withDefault(integer({ min: 1 }), symbolDefaults.orderCleanupThreshold),
    cleanup_batch_size: withDefault(integer({ min: 1 }), symbolDefaults.cleanupBatchSize),
    margin_lock_duration_seconds: withDefault(duration(), symbolDefaults.marginLockDurationMs),
    max_leverage: optional(integer({ min: 1, max: 125 })),
    grid_risk_control: gridRiskControl,
  },
  {
    check(value, locate, ctx) {
      if (
        value.cleanupBatchSize !== undefined &&
        value.orderCleanupThreshold !== undefined &&
        value.cleanupBatchSize > value.orderCleanupThreshold
      ) {
        report(ctx, locate('cleanup_batch_size'), 'must not exceed order_cleanup_threshold', {
          value: String(value.cleanupBatchSize),
          allowed: `1 to ${value.orderCleanupThreshold}`,
        });
      }
    },
  },
);

/** One symbol; `sell_window_size` defaults to the buy window. */
export const symbolSchema = derive(symbolFields, (value) => ({
  ...value,
  sellWindowSize: value.sellWindowSize ?? value.buyWindowSize,
}));

export const tradingSchema = object(
  {
    lock_granularity: withDefault(oneOf(['symbol', 'level']), DEFAULTS.trading.lockGranularity),
    symbols: list(symbolSchema, { minItems: 1 }),
  },
  {
    check(value, locate, ctx) {
      const seen = new Map<string, number>();
      value.symbols?.forEach((entry, index) => {
        const id = `${entry.exchange}:${entry.symbol}`;
        const first = seen.get(id);
        if (first !== undefined)
          report(
            ctx,
            locate('symbols', index, 'symbol'),
            `duplicates trading.symbols[${first}] (same exchange and symbol)`,
            { value: JSON.stringify(entry.symbol) },
          );
        else seen.set(id, index);
      });
    },
  },
);
