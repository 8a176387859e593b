/** The embedded venue's journal: a reopened venue is the same world, and a journal that does not belong is refused. */
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { InvalidSimConfigError } from '../../../src/exchange/sim/errors.js';
import { JournaledSimEngine, type JournaledSimOptions } from '../../../src/exchange/sim/journaled-sim-engine.js';
import { SimMatchingEngine } from '../../../src/exchange/sim/sim-matching-engine.js';
import { defaultSimSymbols } from '../../../src/exchange/sim/sim-settings.js';

const START = Date.UTC(2026, 0, 1);
const BALANCES = { USDT: dec(100_000) };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-sim-journal-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(journalPath: string, overrides: Partial<JournaledSimOptions> = {}): JournaledSimOptions {
  const symbols = defaultSimSymbols().map((symbol) => ({ ...symbol, volatility: 3 }));
  return {
    settings: { seed: 11, symbols },
    balances: BALANCES,
    openingPositions: undefined,
    freshAccount: 'sim-a',
    now: START,
    journalPath,
    ...overrides,
  };
}

/** Everything a client can see of the world. */
function world(engine: SimMatchingEngine, account: string): unknown {
  return {
    time: engine.now(),
    prices: engine.markets().map((market) => engine.price(market.symbol).toFixed()),
    open: engine
      .openOrders(account)
      .map((order) => [order.clientOrderId, order.status, order.filledQuantity.toFixed()]),
    fills: engine
      .fillsAfter(account, 'BTCUSDT', undefined, 10_000)
      .map((fill) => [fill.tradeId, fill.clientOrderId, fill.price.toFixed()]),
    balances: engine
      .balances(account)
      .map((balance) => [balance.asset, balance.total.toFixed(), balance.locked.toFixed()]),
    positions: engine
      .positions(account)
      .map((position) => [position.symbol, position.quantity.toFixed(), position.entryPrice.toFixed()]),
    leverage: engine.leverage(account, 'BTCUSDT'),
  };
}

/** A grid of resting orders and a taker, then 300 steps with fills, a cancel and a leverage change. */
function trade(engine: SimMatchingEngine, account: string): void {
  engine.setLeverage(account, 'BTCUSDT', 5);
  for (let level = 1; level <= 5; level += 1) {
    engine.placeOrder(account, {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      price: dec(60000 - level * 100),
      quantity: dec('0.01'),
      postOnly: true,
      reduceOnly: false,
      clientOrderId: `b${level}`,
    });
  }
  engine.placeOrder(account, {
    symbol: 'BTCUSDT',
    side: 'SELL',
    type: 'MARKET',
    quantity: dec('0.002'),
    postOnly: false,
    reduceOnly: false,
    clientOrderId: 'taker',
  });
  engine.advance(150_000);
  engine.cancelOrder(account, 'BTCUSDT', { clientOrderId: 'b5' });
  engine.advance(150_000);
}

describe('JournaledSimEngine', () => {
  it('reopens a venue left without closing (a kill) as the same world, and goes on as if never stopped', () => {
    const path = join(dir, 'kill.journal');
    const first = JournaledSimEngine.open(options(path));
    trade(first, first.account);
    expect(first.fillsAfter(first.account, 'BTCUSDT', undefined, 100).length).toBeGreaterThan(1);
    const before = world(first, first.account);
    // No close: the file is all a killed process leaves.
    const reopened = JournaledSimEngine.open(options(path, { freshAccount: 'sim-b' }));
    try {
      expect(reopened.account).toBe('sim-a');
      expect(world(reopened, reopened.account)).toEqual(before);
      // The price path continues: an engine that never stopped, stepped as far, shows the same world.
      const uninterrupted = new SimMatchingEngine({
        seed: 11,
        symbols: options(path).settings.symbols,
        startTime: START,
        accounts: [{ id: 'sim-a', balances: BALANCES }],
      });
      trade(uninterrupted, 'sim-a');
      reopened.advance(60_000);
      uninterrupted.advance(60_000);
      expect(world(reopened, 'sim-a')).toEqual(world(uninterrupted, 'sim-a'));
    } finally {
      first.close();
      reopened.close();
    }
  });

  it('moves the clock of a reopened venue on to the time it reopens, without a price step', () => {
    const path = join(dir, 'clock.journal');
    const first = JournaledSimEngine.open(options(path));
    first.advance(5000);
    const price = first.price('BTCUSDT').toFixed();
    first.close();
    const later = JournaledSimEngine.open(options(path, { now: START + 3_600_000 }));
    expect(later.now()).toBe(START + 3_600_000);
    expect(later.price('BTCUSDT').toFixed()).toBe(price);
    later.close();
  });

  it('keeps the opening positions of a fresh journal and ignores them once it is started', () => {
    const path = join(dir, 'positions.journal');
    const openingPositions = { BTCUSDT: { quantity: dec('0.5'), entryPrice: dec(59000) } };
    const first = JournaledSimEngine.open(options(path, { openingPositions }));
    first.close();
    const again = JournaledSimEngine.open(
      options(path, { openingPositions: { BTCUSDT: { quantity: dec(3), entryPrice: dec(1) } } }),
    );
    expect(
      again
        .positions(again.account, ['BTCUSDT'])
        .map((position) => [position.quantity.toFixed(), position.entryPrice.toFixed()]),
    ).toEqual([['0.5', '59000']]);
    again.close();
  });

  it('cuts off a torn last line (a kill mid-write), which was never answered', () => {
    const path = join(dir, 'torn.journal');
    const first = JournaledSimEngine.open(options(path));
    first.advance(10_000);
    const before = world(first, first.account);
    first.close();
    appendFileSync(path, '["place","sim-a",{"symbol":"BTC');
    const reopened = JournaledSimEngine.open(options(path));
    expect(world(reopened, reopened.account)).toEqual(before);
    reopened.close();
    expect(readFileSync(path, 'utf8').endsWith('\n')).toBe(true);
  });

  it('refuses a journal started on other settings, naming the file and what to do', () => {
    const path = join(dir, 'settings.journal');
    JournaledSimEngine.open(options(path)).close();
    expect(() => JournaledSimEngine.open(options(path, { balances: { USDT: dec(5) } }))).toThrow(InvalidSimConfigError);
    expect(() =>
      JournaledSimEngine.open(options(path, { settings: { seed: 12, symbols: defaultSimSymbols() } })),
    ).toThrow(/settings.journal: the sim venue's settings .* changed .* delete this file together with the database/);
  });

  it('refuses a damaged journal with the line that does not parse', () => {
    const path = join(dir, 'damaged.journal');
    JournaledSimEngine.open(options(path)).close();
    appendFileSync(path, 'not json\n');
    expect(() => JournaledSimEngine.open(options(path))).toThrow(/damaged.journal line 3: not a sim journal entry/);
  });
});
