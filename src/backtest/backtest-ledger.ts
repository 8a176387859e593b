/**
 * The backtest's books, kept from the venue's fills (the truth) and the grid's booked trades:
 *
 * - cash flow (gross): Σ sell notional − Σ buy notional; position: Σ signed fill quantity;
 * - realized PnL, one definition with the live status and the stored trades: net of the fees of both
 *   legs, Σ trade.realizedPnl = gross − realized fees, where gross = Σ (sell − buy) · quantity of the
 *   booked round trips and realized fees = Σ trade.fees;
 * - unrealized PnL: what the open position adds at the mark, cash + position · mark − gross,
 *   i.e. the open slots marked against their real entry prices (before fees, as a venue shows it);
 * - equity = cash + position · mark − every fee = gross + unrealized − fees; drawdown is measured on
 *   it, tick by tick.
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
  /** Realized PnL net of fees so far. */
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly equity: Decimal;
}

export class BacktestLedger {
  #cash: Decimal = ZERO;
  #position: Decimal = ZERO;
  #realizedGross: Decimal = ZERO;
  #realizedFees: Decimal = ZERO;
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
    this.#realizedGross = this.#realizedGross.add(trade.sellPrice.sub(trade.buyPrice).mul(trade.quantity));
    this.#realizedFees = this.#realizedFees.add(trade.fees);
    this.#trades += 1;
  }

  /** Marks the books at the end of a tick (after the grid has settled) and updates the drawdown. */
  markTick(time: number, price: Decimal): EquityPoint {
    const unrealized = this.#cash.add(this.#position.mul(price)).sub(this.#realizedGross);
    const equity = this.#realizedGross.add(unrealized).sub(this.#fees);
    this.#ticks += 1;
    if (!this.#position.isZero()) this.#ticksInMarket += 1;
    if (equity.gt(this.#peak)) this.#peak = equity;
    const drawdown = this.#peak.sub(equity);
    if (drawdown.gt(this.#maxDrawdown)) this.#maxDrawdown = drawdown;
    this.#last = Object.freeze({ time, price, position: this.#position, realized: this.realized, unrealized, equity });
    return this.#last;
  }

  /** Every fill's fee (both legs, open positions included). */
  get fees(): Decimal {
    return this.#fees;
  }

  /** Σ (sell − buy) · quantity of the booked round trips, before fees. */
  get realizedGross(): Decimal {
    return this.#realizedGross;
  }

  /** Fees of both legs of the booked round trips. */
  get realizedFees(): Decimal {
    return this.#realizedFees;
  }

  /** Realized PnL net of fees: gross − realized fees (= Σ trade.realizedPnl). */
  get realized(): Decimal {
    return this.#realizedGross.sub(this.#realizedFees);
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
