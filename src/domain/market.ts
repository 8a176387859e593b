import type { Decimal } from './decimal.js';

export type MarketType = 'future' | 'spot';

/** What a venue says about one symbol: the bounds on every price and quantity sent to it. */
export interface Market {
  readonly symbol: string;
  readonly base: string;
  readonly quote: string;
  readonly type: MarketType;
  readonly tickSize: Decimal;
  readonly stepSize: Decimal;
  readonly minQuantity: Decimal;
  readonly minNotional: Decimal;
}

/** A price observation: the last trade price (or mid) of a symbol at a venue time. */
export interface PriceTick {
  readonly symbol: string;
  readonly price: Decimal;
  readonly time: number;
}

/** An OHLCV candle of a fixed interval (e.g. '1m'), closed or still forming. */
export interface Candle {
  readonly symbol: string;
  readonly interval: string;
  readonly openTime: number;
  readonly open: Decimal;
  readonly high: Decimal;
  readonly low: Decimal;
  readonly close: Decimal;
  readonly volume: Decimal;
  readonly closed: boolean;
}

/** A venue position (futures), signed: positive long, negative short. */
export interface Position {
  readonly symbol: string;
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
  readonly unrealizedPnl: Decimal;
  readonly leverage: number;
}

export interface Balance {
  readonly asset: string;
  readonly free: Decimal;
  readonly locked: Decimal;
  readonly total: Decimal;
}
