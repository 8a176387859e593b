/**
 * The order book a client of the sim venue sees: a synthetic ladder of `levelsPerSide` price levels
 * each side of the last price, one tick apart, each with a fixed resting quantity (the market's
 * other participants), plus the resting limit orders of every account. The engine itself has no
 * depth (takers fill at the last price); this is what depth, bookTicker and the depth streams show.
 *
 * Every change of a symbol's book (a price move, an order resting, filling or leaving) takes the
 * next update id, so a REST snapshot (`lastUpdateId`) and the diff stream (`U`/`u`/`pu`) can be
 * synchronised as Binance documents.
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';

/** Price and quantity, best first. */
export type BookLevel = readonly [price: Decimal, quantity: Decimal];

export interface BookSnapshot {
  readonly updateId: number;
  readonly bids: readonly BookLevel[];
  readonly asks: readonly BookLevel[];
}

export const DEFAULT_LEVELS_PER_SIDE = 100;
/** Each synthetic level holds this many minimum quantities. */
const SYNTHETIC_LEVEL_LOTS = 10;

export class SimVenueBook {
  readonly #engine: SimMatchingEngine;
  readonly #levelsPerSide: number;
  readonly #updateIds = new Map<string, number>();
  readonly #listeners = new Set<(symbol: string) => void>();
  readonly #unsubscribe: () => void;

  constructor(engine: SimMatchingEngine, levelsPerSide = DEFAULT_LEVELS_PER_SIDE) {
    this.#engine = engine;
    this.#levelsPerSide = levelsPerSide;
    this.#unsubscribe = engine.subscribe({
      onPrice: (tick) => this.#changed(tick.symbol),
      onExecution: (_account, order) => this.#changed(order.symbol),
    });
  }

  close(): void {
    this.#unsubscribe();
    this.#listeners.clear();
  }

  /** Called after every update id (synchronously, in update order). */
  onChange(listener: (symbol: string) => void): void {
    this.#listeners.add(listener);
  }

  updateId(symbol: string): number {
    return this.#updateIds.get(symbol) ?? 1;
  }

  /** The best `limit` levels of each side (all levels when `limit` is larger than the book). */
  snapshot(symbol: string, limit = Number.MAX_SAFE_INTEGER): BookSnapshot {
    const market = this.#engine.market(symbol);
    const price = this.#engine.price(symbol);
    const lot = market.minQuantity.mul(SYNTHETIC_LEVEL_LOTS);
    const bids = new Map<string, BookLevel>();
    const asks = new Map<string, BookLevel>();
    const add = (side: Map<string, BookLevel>, at: Decimal, quantity: Decimal) => {
      const key = at.toFixed();
      side.set(key, [at, (side.get(key)?.[1] ?? ZERO).plus(quantity)]);
    };
    for (let level = 1; level <= this.#levelsPerSide; level += 1) {
      const offset = market.tickSize.mul(level);
      if (price.minus(offset).gt(ZERO)) add(bids, price.minus(offset), lot);
      add(asks, price.plus(offset), lot);
    }
    for (const order of this.#engine.restingOrders(symbol)) {
      add(order.side === 'BUY' ? bids : asks, order.price as Decimal, order.quantity.minus(order.filled));
    }
    const best = (side: Map<string, BookLevel>, descending: boolean) =>
      [...side.values()].sort((a, b) => (descending ? b[0].comparedTo(a[0]) : a[0].comparedTo(b[0]))).slice(0, limit);
    return { updateId: this.updateId(symbol), bids: best(bids, true), asks: best(asks, false) };
  }

  #changed(symbol: string): void {
    this.#updateIds.set(symbol, this.updateId(symbol) + 1);
    for (const listener of this.#listeners) listener(symbol);
  }
}
