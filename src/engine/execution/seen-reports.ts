/**
 * Each venue answer is applied once: the same report of an order usually arrives twice (the call's
 * answer and the execution stream). The last report applied per client order id (status, filled
 * quantity, venue id) is kept for the most recent `capacity` ids, and an identical one is dropped.
 */
import type { OrderReport } from '../../exchange/exchange.js';

export class SeenReports {
  readonly #last = new Map<string, string>();
  readonly #capacity: number;

  constructor(capacity = 1_000) {
    this.#capacity = capacity;
  }

  /** True when this very report was the last one applied for its order. */
  seen(order: OrderReport): boolean {
    return this.#last.get(order.clientOrderId) === key(order);
  }

  applied(order: OrderReport): void {
    this.#last.delete(order.clientOrderId);
    this.#last.set(order.clientOrderId, key(order));
    // Insertion order is age order: the oldest ids go first.
    for (const id of this.#last.keys()) {
      if (this.#last.size <= this.#capacity) break;
      this.#last.delete(id);
    }
  }
}

function key(order: OrderReport): string {
  return `${order.status}|${order.filledQuantity.toFixed()}|${order.exchangeOrderId}`;
}
