/** What the status line and `GET /api/status` show for one symbol: price, position, working orders, PnL. */
import type { OwnershipState } from '../coordination/ownership/symbol-ownership.js';
import { ZERO } from '../domain/decimal.js';
import { isWorking } from '../domain/order.js';
import { exposure } from '../strategy/grid/grid-risk.js';
import { type GridState, type Slot, slotsWithOrders } from '../strategy/grid/grid-state.js';

export interface SymbolSummary {
  readonly exchange: string;
  readonly symbol: string;
  readonly state: string;
  readonly pausedReason?: string | undefined;
  readonly price?: string | undefined;
  readonly position: string;
  readonly averageEntryPrice?: string | undefined;
  readonly workingOrders: number;
  readonly unrealizedPnl?: string | undefined;
  /** While faulted: the error the runner faulted on (errors carry no secrets: docs/errors.md). */
  readonly faultCause?: string | undefined;
}

/**
 * A symbol as the instance reports it: its runner's summary, whether this instance owns it, and
 * realized PnL (net of fees), fees and trade count of its stored trades (app/stored-trade-totals.ts),
 * so a restart or a takeover shows the same figures.
 */
export interface SymbolStatus extends SymbolSummary {
  readonly ownership: OwnershipState;
  readonly realizedPnl: string;
  /** Fees of the stored trades (both legs), quote currency. */
  readonly fees: string;
  readonly tradeCount: number;
}

export interface SummaryInput {
  readonly exchange: string;
  readonly symbol: string;
  readonly lifecycle: string;
  readonly grid: GridState | undefined;
  /** While faulted: the error the runner faulted on (errors carry no secrets: docs/errors.md). */
  readonly faultCause?: string | undefined;
}

/** The grid's slots whose order is working (accepted or in flight), as the status counts them. */
export function workingOrders(grid: GridState): Slot[] {
  return slotsWithOrders(grid).filter((slot) => isWorking(slot.order!.status));
}

export function summarise(input: SummaryInput): SymbolSummary {
  const { grid } = input;
  const price = grid?.lastPrice;
  const held = grid === undefined ? undefined : exposure(grid, price ?? ZERO);
  const position = held?.quantity ?? ZERO;
  const average = held === undefined || position.isZero() ? undefined : held.value.div(position);
  return {
    exchange: input.exchange,
    symbol: input.symbol,
    state: grid?.pause !== undefined ? 'paused' : input.lifecycle,
    pausedReason: grid?.pause === undefined ? undefined : `${grid.pause.reason}: ${grid.pause.message}`,
    price: price?.toFixed(),
    position: position.toFixed(),
    averageEntryPrice: average?.toDecimalPlaces(8).toFixed(),
    workingOrders: grid === undefined ? 0 : workingOrders(grid).length,
    unrealizedPnl:
      price === undefined || average === undefined ? undefined : held!.unrealizedPnl.toDecimalPlaces(8).toFixed(),
    faultCause: input.lifecycle === 'faulted' ? input.faultCause : undefined,
  };
}
