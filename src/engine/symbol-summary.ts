/** What the status line and `GET /api/status` show for one symbol: price, position, working orders, PnL. */
import { type Decimal, ZERO } from '../domain/decimal.js';
import { isWorking } from '../domain/order.js';
import type { GridState } from '../strategy/grid/grid-state.js';

export interface SymbolSummary {
  readonly exchange: string;
  readonly symbol: string;
  readonly state: string;
  readonly pausedReason?: string | undefined;
  readonly price?: string | undefined;
  readonly position: string;
  readonly averageEntryPrice?: string | undefined;
  readonly workingOrders: number;
  readonly realizedPnl: string;
  readonly unrealizedPnl?: string | undefined;
  readonly tradeCount: number;
}

export interface SummaryInput {
  readonly exchange: string;
  readonly symbol: string;
  readonly lifecycle: string;
  readonly grid: GridState | undefined;
  /** Realized PnL of the trades booked by this runner since it started. */
  readonly realizedPnl: Decimal;
  readonly tradeCount: number;
}

export function summarise(input: SummaryInput): SymbolSummary {
  const { grid } = input;
  const slots = grid === undefined ? [] : [...grid.slots.values()];
  const position = slots.reduce((sum, slot) => sum.add(slot.positionQuantity), ZERO);
  const cost = slots.reduce((sum, slot) => sum.add(slot.positionQuantity.mul(slot.entryPrice)), ZERO);
  const average = position.isZero() ? undefined : cost.div(position);
  const price = grid?.lastPrice;
  return {
    exchange: input.exchange,
    symbol: input.symbol,
    state: grid?.pause !== undefined ? 'paused' : input.lifecycle,
    pausedReason: grid?.pause === undefined ? undefined : `${grid.pause.reason}: ${grid.pause.message}`,
    price: price?.toFixed(),
    position: position.toFixed(),
    averageEntryPrice: average?.toDecimalPlaces(8).toFixed(),
    workingOrders: slots.filter((slot) => slot.order !== undefined && isWorking(slot.order.status)).length,
    realizedPnl: input.realizedPnl.toDecimalPlaces(8).toFixed(),
    unrealizedPnl: price === undefined || average === undefined ? undefined : price.sub(average).mul(position).toDecimalPlaces(8).toFixed(),
    tradeCount: input.tradeCount,
  };
}
