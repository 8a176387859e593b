/**
 * Conditional (stop / take-profit market) orders of one symbol waiting for their trigger price.
 * They hold no funds while waiting, as at Binance: margin is checked when they fire.
 */
import type { Decimal } from '../../domain/decimal.js';
import type { SimOrder } from './sim-order.js';

/** When a conditional order fires: the price reaching its stop price from below or from above. */
export interface SimTrigger {
  readonly kind: 'STOP_MARKET' | 'TAKE_PROFIT_MARKET';
  readonly stopPrice: Decimal;
  readonly firesWhen: 'at-or-above' | 'at-or-below';
}

export function triggerFires(trigger: SimTrigger, price: Decimal): boolean {
  return trigger.firesWhen === 'at-or-above' ? price.gte(trigger.stopPrice) : price.lte(trigger.stopPrice);
}

export class SimTriggerBook {
  readonly #waiting: SimOrder[] = [];

  add(order: SimOrder): void {
    this.#waiting.push(order);
  }

  remove(order: SimOrder): void {
    const index = this.#waiting.indexOf(order);
    if (index >= 0) this.#waiting.splice(index, 1);
  }

  /** Removes and returns the orders `price` fires, oldest first. */
  takeFiredBy(price: Decimal): SimOrder[] {
    const fired = this.#waiting.filter((order) => order.trigger !== undefined && triggerFires(order.trigger, price));
    for (const order of fired) this.remove(order);
    return fired;
  }

  orders(): SimOrder[] {
    return [...this.#waiting];
  }
}
