/**
 * A seeded, deliberately unruly venue for property tests of the grid: it answers the grid's
 * commands in random order, loses some placements (unknown outcome), fills partially, cancels on
 * its own, and mixes in price moves, panics, resumes, reconciliations and foreign updates. It keeps
 * its own book, so a test can check the venue-side invariant: never two live orders for one slot.
 */
import { type Decimal, dec, floorToStep } from '../../../src/domain/decimal.js';
import { priceAt } from '../../../src/domain/lattice.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { GridEvent, RejectReason, VenueOrder } from '../../../src/strategy/grid/grid-event.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import { MARKET } from './grid-fixture.js';

/** mulberry32: a tiny pure PRNG, so every failing sequence is reproducible from its seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface VenueEntry {
  readonly place: Extract<GridCommand, { type: 'PlaceOrder' }>;
  acked: boolean;
  lost: boolean;
  filled: Decimal;
  cancelRequested: boolean;
}

const REJECTS: readonly RejectReason[] = [
  'post-only-would-cross',
  'post-only-would-cross',
  'insufficient-margin',
  'other',
  'duplicate-client-id',
];

export class VenueSimulation {
  readonly #random: () => number;
  /** Live orders at the venue by client order id (lost ones never reached it). */
  readonly #book = new Map<string, VenueEntry>();
  readonly #pending: GridEvent[] = [];
  /** Fills the venue executed but has not reported yet (they race a cancel report). */
  readonly #delayed: { readonly level: number; readonly event: GridEvent }[] = [];
  #time = 100;
  #trade = 0;

  constructor(seed: number) {
    this.#random = mulberry32(seed);
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)]!;
  }

  /** Live orders per grid level (the invariant: at most one). */
  liveByLevel(): Map<number, string[]> {
    const byLevel = new Map<number, string[]>();
    for (const [id, entry] of this.#book) {
      if (entry.lost) continue;
      byLevel.set(entry.place.level, [...(byLevel.get(entry.place.level) ?? []), id]);
    }
    return byLevel;
  }

  /** Takes the grid's commands; returns an error text when a command breaks the venue-side invariant. */
  accept(commands: readonly GridCommand[]): string | undefined {
    for (const command of commands) {
      if (command.type === 'PlaceOrder') {
        const existing = this.#book.get(command.clientOrderId);
        if (existing !== undefined && !existing.lost) return `intent ${command.clientOrderId} sent while still live`;
        if (this.#delayed.some((d) => d.level === command.level))
          return `level ${command.level} got ${command.clientOrderId} before its last order's fills were reported`;
        const live = this.liveByLevel().get(command.level) ?? [];
        if (live.length > 0)
          return `level ${command.level} got ${command.clientOrderId} while ${live.join(',')} is live`;
        this.#book.set(command.clientOrderId, {
          place: command,
          acked: false,
          lost: this.#random() < 0.08,
          filled: dec(0),
          cancelRequested: false,
        });
      } else if (command.type === 'CancelOrder') {
        const entry = this.#book.get(command.clientOrderId);
        if (entry !== undefined) entry.cancelRequested = true;
      } else if (command.type === 'LookupOrder') {
        const entry = this.#book.get(command.clientOrderId);
        this.#pending.push(
          entry === undefined || entry.lost
            ? {
                type: 'UnknownOutcomeResolved',
                time: this.#time,
                clientOrderId: command.clientOrderId,
                order: undefined,
              }
            : { type: 'OrderReported', time: this.#time, order: this.#report(command.clientOrderId, entry) },
        );
        if (entry?.lost === true) this.#book.delete(command.clientOrderId);
        else if (entry !== undefined) entry.acked = true; // the lookup told the grid it is live
      }
    }
    return undefined;
  }

  #report(id: string, entry: VenueEntry): VenueOrder {
    const { place } = entry;
    return {
      exchangeOrderId: `x${id}`,
      clientOrderId: id,
      side: place.side,
      type: 'LIMIT',
      price: place.price,
      quantity: place.quantity,
      filledQuantity: entry.filled,
      status: entry.filled.isZero() ? 'NEW' : 'PARTIALLY_FILLED',
      postOnly: place.postOnly,
      reduceOnly: place.reduceOnly,
    };
  }

  #orderEvent(id: string, entry: VenueEntry): GridEvent {
    const time = this.#time;
    if (!entry.acked) {
      if (this.#random() < 0.25) {
        const reason = this.#pick(REJECTS);
        if (reason !== 'duplicate-client-id') this.#book.delete(id);
        return { type: 'OrderRejected', time, clientOrderId: id, reason };
      }
      entry.acked = true;
      return { type: 'OrderAccepted', time, clientOrderId: id, exchangeOrderId: `x${id}` };
    }
    const roll = this.#random();
    if (entry.cancelRequested || roll < 0.2) {
      this.#book.delete(id);
      const remaining = entry.place.quantity.sub(entry.filled);
      if (this.#random() < 0.5 && remaining.gt(MARKET.stepSize)) {
        // A fill matched just before the cancel; its report arrives after the cancel's.
        this.#delayed.push({ level: entry.place.level, event: this.#fillEvent(id, entry, MARKET.stepSize) });
      }
      return {
        type: roll < 0.04 ? 'OrderExpired' : 'OrderCanceled',
        time,
        clientOrderId: id,
        filledQuantity: entry.filled,
      };
    }
    const remaining = entry.place.quantity.sub(entry.filled);
    const part =
      this.#random() < 0.5 ? remaining : floorToStep(remaining.mul(this.#random().toFixed(3)), MARKET.stepSize);
    if (entry.filled.add(part.isZero() ? remaining : part).gte(entry.place.quantity)) this.#book.delete(id);
    return this.#fillEvent(id, entry, part.isZero() ? remaining : part);
  }

  #fillEvent(id: string, entry: VenueEntry, quantity: Decimal): GridEvent {
    const time = this.#time;
    entry.filled = entry.filled.add(quantity);
    this.#trade += 1;
    return {
      type: 'OrderFilled',
      time,
      fill: {
        exchange: 'binance',
        account: 'acct',
        tradeId: `t${this.#trade}`,
        symbol: MARKET.symbol,
        clientOrderId: id,
        exchangeOrderId: `x${id}`,
        side: entry.place.side,
        price: entry.place.price,
        quantity,
        fee: quantity.mul(entry.place.price).mul('0.0002'),
        feeAsset: 'USDT',
        isMaker: true,
        time,
      },
    };
  }

  /** The next event the venue (or the world) produces. */
  next(state: GridState): GridEvent {
    this.#time += 1 + Math.floor(this.#random() * 3000);
    const time = this.#time;
    const queued = this.#pending.shift();
    if (queued !== undefined) return { ...queued, time };
    const roll = this.#random();
    if (roll < 0.1 && this.#delayed.length > 0) return { ...this.#delayed.shift()!.event, time };
    const ids = [...this.#book.keys()];
    if (roll < 0.55 && ids.length > 0) {
      const id = this.#pick(ids);
      const entry = this.#book.get(id)!;
      if (entry.lost) {
        this.#book.delete(id);
        return { type: 'UnknownOutcomeResolved', time, clientOrderId: id, order: undefined };
      }
      return this.#orderEvent(id, entry);
    }
    if (roll < 0.8 || state.lattice === undefined) {
      const level = Math.floor(this.#random() * 13) - 6;
      const base = state.lattice === undefined ? dec(1000) : priceAt(state.lattice, level);
      return { type: 'PriceUpdated', time, price: base.add(dec(Math.floor(this.#random() * 100) - 50).div(10)) };
    }
    if (roll < 0.83) return { type: 'MarketPanicChanged', time, panic: this.#random() < 0.25 };
    if (roll < 0.88) return { type: 'OperatorResumed', time };
    if (roll < 0.93) {
      const open = [...this.#book].filter(([, e]) => e.acked && !e.lost).map(([id, e]) => this.#report(id, e));
      return { type: 'OpenOrdersReported', time, orders: open };
    }
    if (roll < 0.96)
      return { type: 'OrderAccepted', time, clientOrderId: `web_${time}`, exchangeOrderId: String(time) };
    return { type: 'AccountChecked', time, availableBalance: dec(100000), leverage: 3 };
  }
}
