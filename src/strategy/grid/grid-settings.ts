/**
 * Per-symbol grid settings (grid-strategy.md, "Per-symbol settings"), validated once: a grid that
 * starts with settings it cannot honour would misbehave with real money, so every bound is checked
 * here and reported as GridConfigurationError naming the setting.
 */
import { type Decimal, dec } from '../../domain/decimal.js';
import { GridConfigurationError } from './errors.js';

export interface GridRiskSettings {
  readonly enabled: boolean;
  /** Most slots that may hold a position (FILLED) or have a buy working; 0 = no cap. */
  readonly maxGridLayers: number;
  /** Unrealized loss / position value at which the position is closed; 0 = off. */
  readonly stopLossRatio: Decimal;
  /** Unrealized profit / position value that arms the trailing take-profit; 0 = off. */
  readonly takeProfitTriggerRatio: Decimal;
  /** Pull-back from the highest price seen since arming (fraction of it) that closes the position. */
  readonly trailingTakeProfitRatio: Decimal;
}

export interface GridSettings {
  readonly priceInterval: Decimal;
  /** Quote amount per buy (e.g. 30 USDT); the base quantity is this / slot price, floored to step. */
  readonly orderQuantity: Decimal;
  readonly buyWindowSize: number;
  readonly sellWindowSize: number;
  /** Smallest quote value of an order the grid sends (on top of the venue's min notional). */
  readonly minOrderValue: Decimal;
  readonly orderCleanupThreshold: number;
  readonly cleanupBatchSize: number;
  readonly marginLockDurationSeconds: number;
  /** Fee rate charged on each leg (exchange level), used by the start-up profitability check. */
  readonly feeRate: Decimal;
  /** Highest account leverage the start-up check accepts. */
  readonly maxLeverage: number;
  readonly risk: GridRiskSettings;
}

type DecimalInput = string | Decimal;

export interface GridSettingsInput {
  readonly priceInterval: DecimalInput;
  readonly orderQuantity: DecimalInput;
  readonly buyWindowSize: number;
  readonly sellWindowSize?: number | undefined;
  readonly minOrderValue?: DecimalInput | undefined;
  readonly orderCleanupThreshold?: number | undefined;
  readonly cleanupBatchSize?: number | undefined;
  readonly marginLockDurationSeconds?: number | undefined;
  readonly feeRate?: DecimalInput | undefined;
  readonly maxLeverage?: number | undefined;
  readonly risk?: Partial<Record<keyof GridRiskSettings, DecimalInput | number | boolean>> | undefined;
}

function positiveInteger(name: string, value: number, allowZero = false): number {
  if (!Number.isSafeInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new GridConfigurationError(
      name,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${value}`,
    );
  }
  return value;
}

function decimal(
  name: string,
  value: DecimalInput | number | boolean | undefined,
  fallback: string,
  positive = false,
): Decimal {
  if (typeof value === 'boolean') throw new GridConfigurationError(name, 'must be a decimal number');
  let parsed: Decimal;
  try {
    parsed = dec(value ?? fallback);
  } catch {
    throw new GridConfigurationError(name, `must be an exact decimal, got ${String(value)}`);
  }
  if (parsed.isNegative() || (positive && parsed.isZero()))
    throw new GridConfigurationError(name, `must be ${positive ? 'positive' : 'non-negative'}`);
  return parsed;
}

/** Applies the documented defaults and validates every setting. */
export function gridSettings(input: GridSettingsInput): GridSettings {
  const buyWindowSize = positiveInteger('buy_window_size', input.buyWindowSize);
  const orderCleanupThreshold = positiveInteger('order_cleanup_threshold', input.orderCleanupThreshold ?? 50);
  const risk = input.risk ?? {};
  const trailing = decimal('grid_risk_control.trailing_take_profit_ratio', risk.trailingTakeProfitRatio, '0');
  if (trailing.gte(1))
    throw new GridConfigurationError('grid_risk_control.trailing_take_profit_ratio', 'must be below 1');
  const stopLoss = decimal('grid_risk_control.stop_loss_ratio', risk.stopLossRatio, '0');
  return Object.freeze({
    priceInterval: decimal('price_interval', input.priceInterval, '0', true),
    orderQuantity: decimal('order_quantity', input.orderQuantity, '0', true),
    buyWindowSize,
    sellWindowSize: positiveInteger('sell_window_size', input.sellWindowSize ?? buyWindowSize),
    minOrderValue: decimal('min_order_value', input.minOrderValue, '0'),
    orderCleanupThreshold,
    cleanupBatchSize: positiveInteger('cleanup_batch_size', input.cleanupBatchSize ?? 10),
    marginLockDurationSeconds: positiveInteger(
      'margin_lock_duration_seconds',
      input.marginLockDurationSeconds ?? 10,
      true,
    ),
    feeRate: decimal('fee_rate', input.feeRate, '0'),
    maxLeverage: positiveInteger('max_leverage', input.maxLeverage ?? 10),
    risk: Object.freeze({
      enabled: risk.enabled === true,
      maxGridLayers: positiveInteger('grid_risk_control.max_grid_layers', Number(risk.maxGridLayers ?? 0), true),
      stopLossRatio: stopLoss,
      takeProfitTriggerRatio: decimal('grid_risk_control.take_profit_trigger_ratio', risk.takeProfitTriggerRatio, '0'),
      trailingTakeProfitRatio: trailing,
    }),
  });
}
