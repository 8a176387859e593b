import type { Decimal } from './decimal.js';
import type { OrderSide } from './order.js';

/**
 * One execution at the venue. Identified by (exchange, account, symbol, tradeId) (venues such as
 * Binance number trades per symbol): the same fill reported
 * twice (stream and REST, or replay) is the same fact and is stored once (Invariant 2).
 */
export interface Fill {
  readonly exchange: string;
  /** Venue account the fill belongs to (an API key's account); keeps trade ids unique per account. */
  readonly account: string;
  readonly tradeId: string;
  readonly symbol: string;
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  /** Fee charged for this fill, in `feeAsset` (negative for a rebate). */
  readonly fee: Decimal;
  readonly feeAsset: string;
  readonly isMaker: boolean;
  /** Venue time of the execution, epoch milliseconds UTC. */
  readonly time: number;
}
