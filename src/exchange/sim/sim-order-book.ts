/**
 * Resting orders of one symbol, bids by price descending and asks ascending, each price level in
 * time priority. A price move scans only the orders it crosses, not the whole book.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { SimOrder } from './sim-order.js';

export class SimOrderBook {
  readonly #bids: SimOrder[] = [];
  readonly #asks: SimOrder[] = [];

  add(order: SimOrder): void {
    const side = order.side === 'BUY' ? this.#bids : this.#asks;
    const price = order.price as Decimal;
    // First index whose price is strictly behind this one: equal prices keep arrival order.
    const behind = order.side === 'BUY' ? (other: Decimal) => other.lt(price) : (other: Decimal) => other.gt(price);
    let low = 0;
    let high = side.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (behind((side[middle] as SimOrder).price as Decimal)) high = middle;
      else low = middle + 1;
    }
    side.splice(low, 0, order);
  }

  remove(order: SimOrder): void {
    const side = order.side === 'BUY' ? this.#bids : this.#asks;
    const index = side.indexOf(order);
    if (index >= 0) side.splice(index, 1);
  }

  /** Orders a trade at `price` crosses, best first: bids at or above it, asks at or below it. */
  crossedBy(price: Decimal): SimOrder[] {
    const crossed: SimOrder[] = [];
    for (const bid of this.#bids) {
      if ((bid.price as Decimal).lt(price)) break;
      crossed.push(bid);
    }
    for (const ask of this.#asks) {
      if ((ask.price as Decimal).gt(price)) break;
      crossed.push(ask);
    }
    return crossed;
  }

  /** Every resting order, oldest first. */
  orders(): SimOrder[] {
    return [...this.#bids, ...this.#asks].sort((a, b) => Number(a.exchangeOrderId) - Number(b.exchangeOrderId));
  }
}
