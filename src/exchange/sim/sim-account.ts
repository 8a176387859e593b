/**
 * One simulated account: balances, one-way futures positions, leverage and the funds reserved by
 * open orders.
 *
 * Invariants: a balance's `locked` never exceeds what open orders reserved; a futures order is
 * accepted only while the available margin (wallet + unrealised PnL − position margin − order
 * margin) covers its initial margin; a spot order only while the free balance covers it
 * (buys reserve price × quantity × (1 + taker fee), sells reserve the base quantity).
 */
import { type Decimal, ONE, ZERO, minDecimal } from '../../domain/decimal.js';
import type { Balance, Market, Position } from '../../domain/market.js';
import type { OrderSide } from '../../domain/order.js';
import { InsufficientMarginError, ReduceOnlyRejectedError } from '../errors.js';

export interface FeeRates {
  readonly maker: Decimal;
  readonly taker: Decimal;
}

interface Reservation {
  readonly asset: string;
  /** Amount reserved per unit of base quantity. */
  readonly perUnit: Decimal;
  remaining: Decimal;
}

interface MutablePosition {
  quantity: Decimal;
  entryPrice: Decimal;
}

/** A futures position the account opens with (signed quantity; positive is long). */
export interface SimOpeningPosition {
  readonly quantity: Decimal;
  readonly entryPrice: Decimal;
}

export class SimAccount {
  readonly id: string;
  readonly #venue: string;
  readonly #fees: FeeRates;
  readonly #defaultLeverage: number;
  readonly #totals = new Map<string, Decimal>();
  readonly #reservations = new Map<string, Reservation>();
  /** Running sum of reservations per asset, so a placement does not walk every open order. */
  readonly #locked = new Map<string, Decimal>();
  readonly #positions = new Map<string, MutablePosition>();
  readonly #leverage = new Map<string, number>();

  constructor(options: {
    id: string;
    venue: string;
    fees: FeeRates;
    balances: Readonly<Record<string, Decimal>>;
    defaultLeverage: number;
    positions?: Readonly<Record<string, SimOpeningPosition>> | undefined;
  }) {
    this.id = options.id;
    this.#venue = options.venue;
    this.#fees = options.fees;
    this.#defaultLeverage = options.defaultLeverage;
    for (const [asset, amount] of Object.entries(options.balances)) this.#totals.set(asset, amount);
    for (const [symbol, position] of Object.entries(options.positions ?? {}))
      this.#positions.set(symbol, { quantity: position.quantity, entryPrice: position.entryPrice });
  }

  get fees(): FeeRates {
    return this.#fees;
  }

  leverage(symbol: string): number {
    return this.#leverage.get(symbol) ?? this.#defaultLeverage;
  }

  setLeverage(symbol: string, leverage: number): void {
    this.#leverage.set(symbol, leverage);
  }

  /** Refuses a reduce-only order that would open or increase the position instead of reducing it. */
  checkReduceOnly(symbol: string, side: OrderSide, quantity: Decimal): void {
    const position = this.#positions.get(symbol)?.quantity ?? ZERO;
    const reduces = side === 'BUY' ? position.isNegative() : position.isPositive();
    if (!reduces || quantity.gt(position.abs())) {
      throw new ReduceOnlyRejectedError(
        `reduce-only ${side} ${quantity.toFixed()} ${symbol} would increase the position ${position.toFixed()}`,
        this.#venue,
      );
    }
  }

  /** Largest quantity a reduce-only order may still fill without flipping the position. */
  reducibleQuantity(symbol: string, side: OrderSide): Decimal {
    const position = this.#positions.get(symbol)?.quantity ?? ZERO;
    const reduces = side === 'BUY' ? position.isNegative() : position.isPositive();
    return reduces ? position.abs() : ZERO;
  }

  /**
   * Reserves funds for an order (key: its exchange order id) or throws InsufficientMarginError.
   * Reduce-only futures orders need no margin.
   */
  reserve(
    key: string,
    market: Market,
    side: OrderSide,
    quantity: Decimal,
    price: Decimal,
    marks: ReadonlyMap<string, Decimal>,
    reduceOnly: boolean,
  ): void {
    let reservation: Reservation;
    if (market.type === 'future') {
      const perUnit = reduceOnly ? ZERO : price.div(this.leverage(market.symbol));
      const needed = perUnit.mul(quantity);
      const available = this.#availableMargin(market.quote, marks);
      if (needed.gt(available)) {
        throw new InsufficientMarginError(
          `order needs margin ${needed.toFixed()} ${market.quote}, available ${available.toFixed()}`,
          this.#venue,
        );
      }
      reservation = { asset: market.quote, perUnit, remaining: quantity };
    } else {
      const asset = side === 'BUY' ? market.quote : market.base;
      const perUnit = side === 'BUY' ? price.mul(ONE.plus(this.#fees.taker)) : ONE;
      const needed = perUnit.mul(quantity);
      const free = this.#total(asset).minus(this.#lockedIn(asset));
      if (needed.gt(free)) {
        throw new InsufficientMarginError(
          `order needs ${needed.toFixed()} ${asset}, free ${free.toFixed()}`,
          this.#venue,
        );
      }
      reservation = { asset, perUnit, remaining: quantity };
    }
    this.#reservations.set(key, reservation);
    this.#lock(reservation.asset, reservation.perUnit.mul(quantity));
  }

  /** Releases the reservation of `quantity` (filled or cancelled) of the order `key`. */
  release(key: string, quantity: Decimal): void {
    const reservation = this.#reservations.get(key);
    if (reservation === undefined) return;
    const released = minDecimal(quantity, reservation.remaining);
    reservation.remaining = reservation.remaining.minus(released);
    this.#lock(reservation.asset, reservation.perUnit.mul(released).neg());
    if (reservation.remaining.isZero()) this.#reservations.delete(key);
  }

  releaseAll(key: string): void {
    const reservation = this.#reservations.get(key);
    if (reservation !== undefined) this.release(key, reservation.remaining);
  }

  /** Books an execution: fee, balances, position and realised PnL. */
  applyFill(market: Market, side: OrderSide, quantity: Decimal, price: Decimal, fee: Decimal): void {
    const notional = price.mul(quantity);
    if (market.type === 'spot') {
      const signed = side === 'BUY' ? ONE : ONE.neg();
      this.#add(market.base, quantity.mul(signed));
      this.#add(market.quote, notional.mul(signed).neg().minus(fee));
      return;
    }
    this.#add(market.quote, fee.neg());
    const position = this.#positions.get(market.symbol) ?? { quantity: ZERO, entryPrice: ZERO };
    const delta = side === 'BUY' ? quantity : quantity.neg();
    const old = position.quantity;
    if (old.isZero() || old.isPositive() === delta.isPositive()) {
      position.entryPrice = old.abs().mul(position.entryPrice).plus(notional).div(old.abs().plus(quantity));
    } else {
      const closing = minDecimal(quantity, old.abs());
      const direction = old.isPositive() ? ONE : ONE.neg();
      this.#add(market.quote, price.minus(position.entryPrice).mul(closing).mul(direction));
      if (quantity.gt(old.abs())) position.entryPrice = price;
    }
    position.quantity = old.plus(delta);
    if (position.quantity.isZero()) position.entryPrice = ZERO;
    this.#positions.set(market.symbol, position);
  }

  positions(markets: readonly Market[], marks: ReadonlyMap<string, Decimal>): Position[] {
    return markets
      .filter((market) => market.type === 'future')
      .map((market) => {
        const position = this.#positions.get(market.symbol) ?? { quantity: ZERO, entryPrice: ZERO };
        return {
          symbol: market.symbol,
          quantity: position.quantity,
          entryPrice: position.entryPrice,
          unrealizedPnl: this.#unrealized(market.symbol, marks),
          leverage: this.leverage(market.symbol),
        };
      });
  }

  /** Balances; for a futures margin asset, `total` is the wallet balance and `free` the available margin. */
  balances(marks: ReadonlyMap<string, Decimal>, marginAssets: ReadonlySet<string>): Balance[] {
    return [...this.#totals.keys()].sort().map((asset) => {
      const total = this.#total(asset);
      const free = marginAssets.has(asset) ? this.#availableMargin(asset, marks) : total.minus(this.#lockedIn(asset));
      return { asset, total, free, locked: total.minus(free) };
    });
  }

  #availableMargin(asset: string, marks: ReadonlyMap<string, Decimal>): Decimal {
    let used = this.#lockedIn(asset);
    let unrealized = ZERO;
    for (const [symbol, position] of this.#positions) {
      const mark = marks.get(symbol) ?? position.entryPrice;
      used = used.plus(position.quantity.abs().mul(mark).div(this.leverage(symbol)));
      unrealized = unrealized.plus(this.#unrealized(symbol, marks));
    }
    return this.#total(asset).plus(unrealized).minus(used);
  }

  #unrealized(symbol: string, marks: ReadonlyMap<string, Decimal>): Decimal {
    const position = this.#positions.get(symbol);
    const mark = marks.get(symbol);
    if (position === undefined || mark === undefined) return ZERO;
    return mark.minus(position.entryPrice).mul(position.quantity);
  }

  #lockedIn(asset: string): Decimal {
    return this.#locked.get(asset) ?? ZERO;
  }

  #lock(asset: string, amount: Decimal): void {
    this.#locked.set(asset, this.#lockedIn(asset).plus(amount));
  }

  #total(asset: string): Decimal {
    return this.#totals.get(asset) ?? ZERO;
  }

  #add(asset: string, amount: Decimal): void {
    this.#totals.set(asset, this.#total(asset).plus(amount));
  }
}
