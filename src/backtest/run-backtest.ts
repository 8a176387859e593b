/**
 * The backtest loop: the same pure grid (`decide`) that trades live, against the sim matching
 * engine driven tick by tick, synchronously: no timers, no database, no locks, no wall clock.
 *
 * Per tick: the engine steps one price (resting orders match against it) → the fills it caused reach
 * the grid, then the price itself → each decision's commands are carried
 * out against the engine at once → what they cause (acceptances, rejections, fills, cancels) is
 * queued and fed back, until the queue is empty (the tick has settled) → the books are marked.
 *
 * Invariants: deterministic for the same setup (seeded engine, engine clock for every event time);
 * each engine fill reaches the grid exactly once (it is queued once, by the engine's listener);
 * every event the grid sees is one the live engine would also feed it (venue-events.ts mappings).
 *
 * Fills come before the price that caused them: the venue already holds that position, so the
 * grid's risk checks at the new price must see it (a stop loss otherwise closes only part of it).
 */
import { ZERO } from '../domain/decimal.js';
import type { Fill } from '../domain/fill.js';
import type { Trade } from '../domain/trade.js';
import { ExchangeError, UnknownOrderError } from '../exchange/errors.js';
import type { OrderReport, PlaceOrderRequest } from '../exchange/exchange.js';
import { SimMatchingEngine } from '../exchange/sim/sim-matching-engine.js';
import { rejectReason, reportEvent } from '../engine/execution/venue-events.js';
import { createGridState } from '../strategy/grid/create-grid-state.js';
import { decide } from '../strategy/grid/decide.js';
import type { GridCommand } from '../strategy/grid/grid-command.js';
import type { GridEvent } from '../strategy/grid/grid-event.js';
import type { GridState } from '../strategy/grid/grid-state.js';
import { BacktestLedger, type EquityPoint } from './backtest-ledger.js';
import { type BacktestReport, reportOf } from './backtest-report.js';
import { BACKTEST_ACCOUNT, type BacktestSetup } from './backtest-setup.js';
import { BacktestStalledError } from './errors.js';

export interface BacktestObserver {
  /** Called once per tick after it settled: the equity curve. */
  onTick?(point: EquityPoint): void;
  /** Each venue fill, in the order the grid sees it. */
  onFill?(fill: Fill): void;
  /** Each round trip the grid books. */
  onTrade?(trade: Trade): void;
  /** Called every `progressEvery` ticks and at the end. */
  onProgress?(done: number, total: number): void;
}

/** More events than this within one tick means grid and venue are ping-ponging. */
const MAX_EVENTS_PER_TICK = 100_000;
const PROGRESS_EVERY = 1024;

export function runBacktest(setup: BacktestSetup, observer: BacktestObserver = {}): BacktestReport {
  return new BacktestLoop(setup, observer).run();
}

class BacktestLoop {
  readonly #setup: BacktestSetup;
  readonly #observer: BacktestObserver;
  readonly #engine: SimMatchingEngine;
  readonly #ledger = new BacktestLedger();
  readonly #queue: GridEvent[] = [];
  readonly #symbol: string;
  #grid: GridState;
  /** The price the engine moved to in the current step, fed after the fills it caused. */
  #stepped: GridEvent | undefined;
  #placed = 0;
  #rejected = 0;
  #pausedBecause: string | undefined;

  constructor(setup: BacktestSetup, observer: BacktestObserver) {
    this.#setup = setup;
    this.#observer = observer;
    this.#symbol = setup.identity.symbol;
    this.#engine = new SimMatchingEngine(setup.engine);
    this.#grid = createGridState(setup.identity, this.#engine.now());
    this.#engine.subscribe({
      onPrice: (tick) => {
        this.#stepped = { type: 'PriceUpdated', time: tick.time, price: tick.price };
      },
      onExecution: (_account, order, fill) => {
        if (fill !== undefined) this.#queue.push({ type: 'OrderFilled', time: fill.time, fill });
        // Acceptances come from placeOrder's answer and fills carry the rest; only endings are news here.
        if (order.status === 'CANCELED' || order.status === 'EXPIRED') this.#queue.push(this.#reportEvent(order));
      },
    });
  }

  run(): BacktestReport {
    const { ticks } = this.#setup;
    const opening = this.#engine.price(this.#symbol);
    this.#queue.push(this.#accountChecked(), { type: 'PriceUpdated', time: this.#engine.now(), price: opening });
    this.#settle();
    for (let done = 1; done <= ticks; done += 1) {
      this.#engine.step();
      if (this.#stepped !== undefined) this.#queue.push(this.#stepped);
      this.#stepped = undefined;
      this.#settle();
      if (done % PROGRESS_EVERY === 0) this.#observer.onProgress?.(done, ticks);
    }
    this.#observer.onProgress?.(ticks, ticks);
    return reportOf(this.#ledger, {
      exchange: this.#setup.identity.exchange,
      symbol: this.#symbol,
      seed: this.#setup.engine.seed,
      firstPrice: opening,
      ordersPlaced: this.#placed,
      ordersRejected: this.#rejected,
      pausedBecause: this.#pausedBecause,
    });
  }

  /** Feeds queued events until none is left, then marks the tick. */
  #settle(): void {
    let handled = 0;
    for (let event = this.#queue.shift(); event !== undefined; event = this.#queue.shift()) {
      if (event.type === 'OrderFilled') {
        this.#ledger.addFill(event.fill);
        this.#observer.onFill?.(event.fill);
      }
      const decision = decide(this.#grid, event);
      this.#grid = decision.state;
      for (const command of decision.commands) this.#act(command);
      handled += 1;
      if (handled > MAX_EVENTS_PER_TICK)
        throw new BacktestStalledError(
          `${this.#symbol}: more than ${MAX_EVENTS_PER_TICK} events at ${new Date(this.#engine.now()).toISOString()} without settling (last: ${event.type})`,
        );
    }
    const point = this.#ledger.markTick(this.#engine.now(), this.#engine.price(this.#symbol));
    this.#observer.onTick?.(point);
  }

  #act(command: GridCommand): void {
    switch (command.type) {
      case 'PlaceOrder':
        return this.#place(command);
      case 'CancelOrder':
        return this.#cancel(command.clientOrderId);
      case 'LookupOrder':
        return this.#lookup(command.clientOrderId);
      case 'ClosePosition':
        return this.#close(command);
      case 'BookTrade':
        this.#ledger.addTrade(command.trade);
        this.#observer.onTrade?.(command.trade);
        return;
      case 'PauseSymbol':
        this.#pausedBecause = `${command.reason}: ${command.message}`;
        return;
      // Nothing is stored in a backtest: the grid's state lives in this loop only.
      case 'PersistState':
      case 'RecordEvent':
        return;
    }
  }

  #place(command: Extract<GridCommand, { type: 'PlaceOrder' }>): void {
    const { side, price, quantity, postOnly, reduceOnly, clientOrderId } = command;
    this.#send(
      { symbol: this.#symbol, side, type: 'LIMIT', price, quantity, postOnly, reduceOnly, clientOrderId },
      (order) => ({
        type: 'OrderAccepted',
        time: this.#engine.now(),
        clientOrderId,
        exchangeOrderId: order.exchangeOrderId,
      }),
    );
  }

  /** Stop loss / take profit: a market sell; the answer settles it once its fills (queued by the listener) are in. */
  #close(command: Extract<GridCommand, { type: 'ClosePosition' }>): void {
    const { quantity, reduceOnly, clientOrderId } = command;
    this.#send(
      { symbol: this.#symbol, side: 'SELL', type: 'MARKET', quantity, postOnly: false, reduceOnly, clientOrderId },
      (order) => this.#reportEvent(order),
    );
  }

  #send(request: PlaceOrderRequest, answer: (order: OrderReport) => GridEvent): void {
    this.#placed += 1;
    try {
      this.#queue.push(answer(this.#engine.placeOrder(BACKTEST_ACCOUNT, request)));
    } catch (error) {
      // The sim answers synchronously: every refusal is definitive (no unknown outcome exists here).
      if (!(error instanceof ExchangeError)) throw error;
      this.#rejected += 1;
      this.#queue.push({
        type: 'OrderRejected',
        time: this.#engine.now(),
        clientOrderId: request.clientOrderId,
        reason: rejectReason(error),
      });
    }
  }

  #cancel(clientOrderId: string): void {
    try {
      this.#engine.cancelOrder(BACKTEST_ACCOUNT, this.#symbol, { clientOrderId });
    } catch (error) {
      // Already filled or ended: the venue's view of the order decides, as in the live runner.
      if (!(error instanceof UnknownOrderError)) throw error;
      this.#lookup(clientOrderId);
    }
  }

  #lookup(clientOrderId: string): void {
    const order = this.#engine.getOrder(BACKTEST_ACCOUNT, this.#symbol, clientOrderId);
    this.#queue.push(
      order === undefined
        ? { type: 'UnknownOutcomeResolved', time: this.#engine.now(), clientOrderId, order: undefined }
        : this.#reportEvent(order),
    );
  }

  #reportEvent(order: OrderReport): GridEvent {
    return reportEvent(order, this.#engine.now());
  }

  #accountChecked(): GridEvent {
    const { quote, type } = this.#setup.identity.market;
    const balance = this.#engine.balances(BACKTEST_ACCOUNT).find((entry) => entry.asset === quote);
    const leverage = type === 'future' ? this.#engine.leverage(BACKTEST_ACCOUNT, this.#symbol) : 1;
    return { type: 'AccountChecked', time: this.#engine.now(), availableBalance: balance?.free ?? ZERO, leverage };
  }
}
