/**
 * The backtest's books, kept from the venue's fills (the truth) and the grid's booked trades:
 *
 * - cash flow (gross): Σ sell notional − Σ buy notional; position: Σ signed fill quantity;
 * - realized PnL: Σ (sell − buy) · quantity of the round trips the grid booked, before fees, so it
 *   equals the trades a live run stores;
 * - unrealized PnL: what the open position adds at the mark, cash + position · mark − realized,
 *   i.e. the open slots marked against their real entry prices;
 * - equity = realized + unrealized − fees; drawdown is measured on it, tick by tick.
 *
 * Every figure is an exact decimal: no division happens here, so hand-computed figures match exactly.
 */
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import type { Trade } from '../domain/trade.js';

export interface EquityPoint {
  readonly time: number;
  readonly price: Decimal;
  readonly position: Decimal;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly equity: Decimal;
}

export class BacktestLedger {
  #cash: Decimal = ZERO;
  #position: Decimal = ZERO;
  #realized: Decimal = ZERO;
  #fees: Decimal = ZERO;
  #fills = 0;
  #trades = 0;
  #ticks = 0;
  #ticksInMarket = 0;
  #peak: Decimal = ZERO;
  #maxDrawdown: Decimal = ZERO;
  #last: EquityPoint | undefined;

  addFill(fill: Fill): void {
    const notional = fill.price.mul(fill.quantity);
    this.#cash = fill.side === 'SELL' ? this.#cash.add(notional) : this.#cash.sub(notional);
    this.#position = fill.side === 'SELL' ? this.#position.sub(fill.quantity) : this.#position.add(fill.quantity);
    // The sim charges fees in the quote asset (a negative fee is a rebate).
    this.#fees = this.#fees.add(fill.fee);
    this.#fills += 1;
  }

  addTrade(trade: Trade): void {
    this.#realized = this.#realized.add(trade.sellPrice.sub(trade.buyPrice).mul(trade.quantity));
    this.#trades += 1;
  }

  /** Marks the books at the end of a tick (after the grid has settled) and updates the drawdown. */
  markTick(time: number, price: Decimal): EquityPoint {
    const unrealized = this.#cash.add(this.#position.mul(price)).sub(this.#realized);
    const equity = this.#realized.add(unrealized).sub(this.#fees);
    this.#ticks += 1;
    if (!this.#position.isZero()) this.#ticksInMarket += 1;
    if (equity.gt(this.#peak)) this.#peak = equity;
    const drawdown = this.#peak.sub(equity);
    if (drawdown.gt(this.#maxDrawdown)) this.#maxDrawdown = drawdown;
    this.#last = Object.freeze({ time, price, position: this.#position, realized: this.#realized, unrealized, equity });
    return this.#last;
  }

  get fees(): Decimal {
    return this.#fees;
  }

  get fills(): number {
    return this.#fills;
  }

  get trades(): number {
    return this.#trades;
  }

  get ticks(): number {
    return this.#ticks;
  }

  get ticksInMarket(): number {
    return this.#ticksInMarket;
  }

  /** Largest fall of equity from its running peak (the peak starts at 0, the equity before trading). */
  get maxDrawdown(): Decimal {
    return this.#maxDrawdown;
  }

  get last(): EquityPoint | undefined {
    return this.#last;
  }
}
