/**
 * Tick-to-order-sent latency of the live engine: a `TradingEngine` trading the embedded default's
 * BTCUSDT grid on an in-process `SimExchange` stepped by hand (`stepIntervalMs: 0`, no clock driver).
 * The sim replays a price that rises one grid interval per step, so every tick moves the buy window
 * up one level and the grid places one new buy (through lock → fenced intent → venue).
 *
 * One sample = from just before `engine.step()` (which delivers the tick synchronously to the
 * runner) to the moment the sim engine receives the `placeOrder` call (a sim listener sees the new
 * order while the venue call is still on the stack). Before each tick the engine is let settle: no
 * slot waiting for a venue answer and no database call in flight, so one tick's work never queues
 * behind the previous one's.
 */
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { backtestSetup, BACKTEST_ACCOUNT } from '../src/backtest/backtest-setup.js';
import { embeddedDefaultConfig } from '../src/config/embedded-default.js';
import type { DistributedLock } from '../src/coordination/lock/distributed-lock.js';
import { dec } from '../src/domain/decimal.js';
import { OrderExecutor } from '../src/engine/execution/order-executor.js';
import type { SymbolRunner } from '../src/engine/symbol-runner.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { SimExchange } from '../src/exchange/sim/sim-exchange.js';
import { SimMatchingEngine } from '../src/exchange/sim/sim-matching-engine.js';
import type { Database } from '../src/storage/database.js';
import { slotsWithOrders } from '../src/strategy/grid/grid-state.js';

/** How long one tick may take to produce its order, or the engine to settle, before the bench fails. */
const TICK_TIMEOUT_MS = 10_000;

export interface TickToOrder {
  /** Steps the price one interval up; resolves with the ms until the grid's order reached the venue. */
  tick(): Promise<number>;
  /** Steps the price; resolves with the ms until `orders` new orders reached the venue (a first window). */
  tickUntil(orders: number): Promise<number>;
  /** Orders the venue received from the engine so far. */
  readonly ordersSent: number;
  /** Stops the engine (cancelling its orders) and closes the venue; the database and lock stay open. */
  close(): Promise<void>;
}

/**
 * Counts calls in flight on the database (a transaction counts until it commits), so the bench can
 * wait for the engine to go quiet between ticks.
 */
function countingDatabase(database: Database): { database: Database; busy: () => boolean } {
  let inFlight = 0;
  const wrapped = new Proxy(database, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        inFlight += 1;
        return Promise.resolve((value as (...a: unknown[]) => unknown).apply(target, args)).finally(() => {
          inFlight -= 1;
        });
      };
    },
  });
  return { database: wrapped, busy: () => inFlight > 0 };
}

function pendingOrders(runner: SymbolRunner): boolean {
  const state = runner.state;
  return state !== undefined && slotsWithOrders(state).some((slot) => slot.order!.status.startsWith('PENDING'));
}

/** Bounded polling: the engine exposes no "idle" event, so the bench looks every millisecond. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + TICK_TIMEOUT_MS;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`engine bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

export async function startTickToOrder(options: {
  database: Database;
  lock: DistributedLock;
  ticks: number;
  /** The venue's name (default the sim's): a fresh name starts a fresh grid in a shared database. */
  exchangeName?: string;
  /** Overrides the embedded default's buy window (its first price places this many buys). */
  buyWindowSize?: number;
}): Promise<TickToOrder> {
  const config = embeddedDefaultConfig();
  const entry = config.trading.symbols[0]!;
  const interval = dec(entry.priceInterval);
  // Opening price, then one interval up per tick (plus the warm-up the caller runs inside `ticks`).
  const prices = Array.from({ length: options.ticks + 2 }, (_, index) => dec(60_000).add(interval.mul(index)));
  const setup = backtestSetup(config, { symbol: entry.symbol, replayPrices: prices });
  const sim = new SimMatchingEngine(setup.engine);
  const exchange = new SimExchange(sim, { account: BACKTEST_ACCOUNT, name: options.exchangeName });
  const settings =
    options.buyWindowSize === undefined
      ? setup.identity.settings
      : { ...setup.identity.settings, buyWindowSize: options.buyWindowSize };
  const counted = countingDatabase(options.database);
  const clock = () => sim.now();
  const logger = pino({ level: 'silent' });
  const executor = new OrderExecutor({
    exchange,
    database: counted.database,
    lock: options.lock,
    granularity: 'symbol',
    lockTtlMs: 10_000,
    instanceId: 'bench',
    clock,
  });
  const engine = new TradingEngine({
    exchange,
    database: counted.database,
    executor,
    logger,
    instanceId: 'bench',
    clock,
    grids: [{ symbol: entry.symbol, settings, reconcileIntervalMs: 3_600_000 }],
  });

  let ordersSent = 0;
  /** Resolved once `awaited` orders arrived since the step. */
  let arrived: ((at: number) => void) | undefined;
  let awaited = 0;
  sim.subscribe({
    onExecution: (_account, order, fill) => {
      if (order.status !== 'NEW' || fill !== undefined) return;
      ordersSent += 1;
      awaited -= 1;
      if (awaited > 0) return;
      arrived?.(performance.now());
      arrived = undefined;
    },
  });
  await engine.start();
  // The bench instance owns its symbol (the engine trades only owned symbols).
  await engine.ownershipWon(entry.symbol);
  const runner = engine.runner(entry.symbol)!;
  const settle = () => until(() => !pendingOrders(runner) && !counted.busy(), 'the engine to settle');

  const session: TickToOrder = {
    get ordersSent() {
      return ordersSent;
    },
    tick() {
      return session.tickUntil(1);
    },
    async tickUntil(orders: number) {
      await settle();
      const arrival = new Promise<number>((resolve) => {
        arrived = resolve;
      });
      awaited = orders;
      const start = performance.now();
      sim.step();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new Error(
                `engine bench: ${orders} orders did not reach the venue within ${TICK_TIMEOUT_MS} ms of a tick (runner ${runner.lifecycle})`,
              ),
            ),
          TICK_TIMEOUT_MS,
        );
      });
      try {
        return (await Promise.race([arrival, timeout])) - start;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      await engine.stop({ cancelOnExit: true, closePositions: false });
      await exchange.close();
    },
  };
  return session;
}
