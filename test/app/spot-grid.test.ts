/**
 * A `market: spot` grid end to end through ccxt's `binance` against the sim venue's Binance spot API:
 * an instance (child process, SQLite) trades BTCUSDT spot until the venue has filled its buys and
 * then sells of what they bought; SIGINT stops it. The venue's balances are consistent with its
 * fills (base = bought − sold; quote = start − bought notional + sold notional − fees), every venue
 * fill is stored once, the slots hold what the venue says was bought and not sold, and nothing is
 * left open.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../src/domain/decimal.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { until } from '../harness/until.js';
import { readSqlite, spotVenueTradingYaml, sqliteInstanceYaml, startQuantMesh } from './quantmesh-process.js';

const SYMBOL = 'BTCUSDT';
const START_USDT = dec(100_000);
const ACCOUNT = {
  apiKey: 'spot-grid-key',
  apiSecret: 'spot-grid-secret',
  accountId: 'spot-grid',
  balances: { USDT: START_USDT },
};

describe('spot grid through ccxt binance', () => {
  let dir: string | undefined;
  let server: SimVenueServer | undefined;
  afterAll(async () => {
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('buys, then sells what it bought, with balances consistent with the fills', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-spot-grid-'));
    const symbols = simSymbolsNamed([SYMBOL], 'spot').map((symbol) => ({ ...symbol, volatility: 3 }));
    server = await startSimVenueServer({ seed: 20261201, symbols, accounts: [ACCOUNT], stepIntervalMs: 25 });
    const engine = server.engine;
    const configFile = join(dir, 'quantmesh.yaml');
    await writeFile(
      configFile,
      `${sqliteInstanceYaml('spot', dir)}web:\n  enabled: false\n${spotVenueTradingYaml(server.url, ACCOUNT, SYMBOL)}`,
    );
    const instance = startQuantMesh(['--config', configFile], dir);
    try {
      await instance.waitForLine(/symbol running/, 120_000);
      const sides = () =>
        new Set(engine.fillsAfter(ACCOUNT.accountId, SYMBOL, undefined, 1_000_000).map((fill) => fill.side));
      await until(
        () => sides().has('BUY') && sides().has('SELL'),
        'the venue to fill a grid buy and then a grid sell',
        120_000,
      );
      instance.signal('SIGINT');
      expect(await instance.exited).toBe(0);
    } finally {
      await instance.kill();
    }

    const fills = engine.fillsAfter(ACCOUNT.accountId, SYMBOL, undefined, 1_000_000);
    const firstSell = fills.findIndex((fill) => fill.side === 'SELL');
    expect(fills.slice(0, firstSell).some((fill) => fill.side === 'BUY')).toBe(true);
    const signed = (fill: (typeof fills)[number], value: Decimal) => (fill.side === 'BUY' ? value : value.neg());
    const base = fills.reduce((sum: Decimal, fill) => sum.add(signed(fill, fill.quantity)), ZERO);
    const quote = fills.reduce(
      (sum: Decimal, fill) => sum.sub(signed(fill, fill.price.mul(fill.quantity))).sub(fill.fee),
      START_USDT,
    );
    const balances = Object.fromEntries(engine.balances(ACCOUNT.accountId).map((balance) => [balance.asset, balance]));
    expect(balances['BTC']?.total.toFixed()).toBe(base.toFixed());
    expect(balances['USDT']?.total.toFixed()).toBe(quote.toFixed());
    expect(base.gte(0)).toBe(true);
    expect(engine.openOrders(ACCOUNT.accountId, SYMBOL)).toEqual([]);
    expect([balances['BTC']?.locked.toFixed(), balances['USDT']?.locked.toFixed()]).toEqual(['0', '0']);

    const stored = readSqlite(join(dir, 'quantmesh.db'), (db) => ({
      fills: db.prepare('select trade_id from fills where symbol = ?').all(SYMBOL) as { trade_id: string }[],
      slots: db.prepare('select position_quantity from slots where symbol = ?').all(SYMBOL) as {
        position_quantity: string;
      }[],
    }));
    expect(stored.fills.map((fill) => fill.trade_id).sort()).toEqual(fills.map((fill) => fill.tradeId).sort());
    expect(stored.slots.reduce((sum: Decimal, slot) => sum.add(dec(slot.position_quantity)), ZERO).toFixed()).toBe(
      base.toFixed(),
    );
  }, 240_000);
});
