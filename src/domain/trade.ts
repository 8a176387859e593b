import type { Decimal } from './decimal.js';

/**
 * A completed grid round trip (or part of one): a quantity bought at the slot's real average entry
 * and sold one interval up. Booked when a sell fills (grid-strategy.md, "Fills").
 */
export interface Trade {
  /** Deterministic id: the sell fill that closed it (`<exchange>:<account>:<symbol>:<tradeId>`), so replay books it once. */
  readonly id: string;
  readonly exchange: string;
  readonly symbol: string;
  readonly level: number;
  readonly cycle: number;
  readonly quantity: Decimal;
  readonly buyPrice: Decimal;
  readonly sellPrice: Decimal;
  /** Fees of both legs attributable to `quantity`, in quote currency. */
  readonly fees: Decimal;
  /** (sellPrice - buyPrice) * quantity - fees. */
  readonly realizedPnl: Decimal;
  readonly openedAt: number;
  readonly closedAt: number;
}
