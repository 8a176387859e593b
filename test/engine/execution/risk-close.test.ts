/**
 * A stop loss that actually flattens the position (grid-strategy.md "Risk controls"): the runner and
 * SQLite on two venues, the in-process sim and CcxtExchange(binanceusdm) against the sim-venue server.
 * The venue refuses the first close (`refuseNextOrders` / `POST /_sim/refuse-next`); the grid retries
 * after its backoff under a new client order id and the venue position ends at zero. Every close went
 * through the lock and a fenced intent.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { symbolLockKey } from '../../../src/coordination/lock/distributed-lock.js';
import { NoopLock } from '../../../src/coordination/lock/noop/noop-lock.js';
import { type Decimal, dec } from '../../../src/domain/decimal.js';
import { closeIntentRound } from '../../../src/engine/execution/order-executor.js';
import type { TradingEngine } from '../../../src/engine/trading-engine.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import type { Exchange } from '../../../src/exchange/exchange.js';
import type { SimMatchingEngine } from '../../../src/exchange/sim/sim-matching-engine.js';
import { startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';
import type { Database } from '../../../src/storage/database.js';
import { parseClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { closableQuantity } from '../../../src/strategy/grid/close-position.js';
import { SYMBOL, engineOn, flushed, openStore, startSim } from '../runner-fixture.js';
import { until } from '../../harness/until.js';

/** One venue as the scenario drives it: the port the engine trades on, and the test's hooks. */
interface Venue {
  readonly exchange: Exchange;
  readonly engine: SimMatchingEngine;
  setPrice(price: string): Promise<void>;
  refuseNextMarketOrder(): Promise<void>;
  /** Moves the venue's clock one step (1 s). */
  step(): Promise<void>;
  close(): Promise<void>;
}

const API_KEY = 'risk-close-key';
const API_SECRET = 'risk-close-secret';

async function inProcessSim(): Promise<Venue> {
  const { exchange } = startSim();
  const engine = exchange.engine;
  return {
    exchange,
    engine,
    setPrice: async (price) => engine.setPrice(SYMBOL, dec(price)),
    refuseNextMarketOrder: async () => engine.refuseNextOrders(SYMBOL, 'MARKET'),
    step: async () => engine.step(),
    close: () => exchange.close(),
  };
}

async function simVenueServer(): Promise<Venue> {
  const server = await startSimVenueServer({
    seed: 7,
    accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
    stepIntervalMs: 0,
    admin: true,
  });
  const exchange = new CcxtExchange({
    name: 'binance',
    ccxtId: 'binanceusdm',
    marketType: 'future',
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    baseUrl: server.url,
  });
  const admin = async (path: string) => {
    const response = await fetch(`${server.url}${path}`, { method: 'POST' });
    if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
  };
  return {
    exchange,
    engine: server.engine,
    setPrice: (price) => admin(`/_sim/price?symbol=${SYMBOL}&price=${price}`),
    refuseNextMarketOrder: () => admin(`/_sim/refuse-next?symbol=${SYMBOL}&type=MARKET`),
    step: () => admin('/_sim/step?ticks=1'),
    close: async () => {
      await exchange.close();
      await server.close();
    },
  };
}

describe.each([
  { name: 'the in-process sim', open: inProcessSim },
  { name: 'the sim-venue server through ccxt', open: simVenueServer },
])('risk close on $name and SQLite', ({ open }) => {
  let dir: string | undefined;
  let venue: Venue | undefined;
  let database: Database | undefined;
  let engine: TradingEngine | undefined;

  afterEach(async () => {
    await engine?.stop({ cancelOnExit: true, closePositions: false });
    await venue?.close();
    await database?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('a refused stop-loss close is retried after its backoff with a new id, through lock and intent, until the venue is flat', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-risk-close-'));
    venue = await open();
    database = await openStore(dir);
    const sim = venue;
    // Every order the venue accepted, once (its id by exchange order id).
    const accepted = new Map<string, string>();
    sim.engine.subscribe({
      onExecution: (_account, report) => void accepted.set(report.exchangeOrderId, report.clientOrderId),
    });
    const position = async (): Promise<Decimal> =>
      (await sim.exchange.positions([SYMBOL])).reduce((sum, p) => sum.add(p.quantity), dec(0));
    const isClose = (id: string) => parseClientOrderId(id)?.purpose === 'close';

    engine = engineOn(sim.exchange, () => sim.engine.now(), database, new NoopLock(), {
      risk: { enabled: true, stopLossRatio: '0.02' },
    });
    await engine.start();
    await engine.ownershipWon(SYMBOL);
    const runner = engine.runner(SYMBOL)!;
    await sim.setPrice('60000');
    await until(async () => (await sim.exchange.openOrders(SYMBOL)).length > 0, 'the buy window at the venue');
    await sim.setPrice('59750');
    await until(
      async () => (await position()).gt(0) && closableQuantity(runner.state!).eq(await position()),
      'buys filled and applied',
    );

    await sim.refuseNextMarketOrder();
    await sim.setPrice('58000');
    await until(
      () => runner.state?.pause?.reason === 'stop-loss' && runner.state.closing?.failures === 1,
      'the stop loss and its refused close',
    );
    expect((await position()).gt(0)).toBe(true);
    const retryAt = runner.state!.closing!.nextAttemptAt;

    // The retry waits for an event at or after its backoff: the venue's clock moves one step (1 s).
    await sim.step();
    expect(sim.engine.now()).toBeGreaterThanOrEqual(retryAt);
    await until(
      async () => (await position()).isZero() && runner.state?.closing?.order === undefined,
      'the venue position closed',
    );
    expect(closableQuantity(runner.state!).isZero()).toBe(true);
    expect([...accepted.values()].filter(isClose)).toHaveLength(1);

    await flushed(database);
    const intents = (await database.getIntents({ symbol: SYMBOL, limit: 1_000 })).filter((intent) =>
      isClose(intent.clientOrderId),
    );
    expect(intents).toHaveLength(2);
    expect(new Set(intents.map((intent) => intent.clientOrderId)).size).toBe(2);
    for (const intent of intents) {
      const parsed = parseClientOrderId(intent.clientOrderId);
      if (parsed?.purpose !== 'close') throw new Error(`not a close id: ${intent.clientOrderId}`);
      expect(intent).toMatchObject({
        side: 'SELL',
        fenceKey: symbolLockKey(sim.exchange.name, SYMBOL),
        ...closeIntentRound(parsed.decidedAt, parsed.sequence),
      });
      expect(intent.cycle).toBeLessThan(0);
    }
    const retries = await database.getEvents({ symbol: SYMBOL, type: 'risk.triggered', limit: 100 });
    expect(retries.map((event) => event.details['control'])).toContain('close-retry');
  });
});
