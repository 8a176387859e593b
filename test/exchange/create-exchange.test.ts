import { describe, expect, it } from 'vitest';
import type { PriceTick } from '../../src/domain/market.js';
import { CcxtExchange } from '../../src/exchange/ccxt/ccxt-exchange.js';
import { dec } from '../../src/domain/decimal.js';
import { createExchange } from '../../src/exchange/create-exchange.js';
import { UnsupportedVenueError } from '../../src/exchange/errors.js';
import { SimExchange } from '../../src/exchange/sim/sim-exchange.js';

describe('createExchange', () => {
  it('builds a manually stepped sim with the configured balances, fees and symbols', async () => {
    const exchange = createExchange({
      type: 'sim',
      name: 'paper',
      seed: 3,
      symbols: ['ETHUSDT'],
      balances: { USDT: '2500' },
      feeRate: { maker: '0', taker: '0.001' },
      stepIntervalMs: 0,
    });
    try {
      expect(exchange).toBeInstanceOf(SimExchange);
      expect(exchange.name).toBe('paper');
      expect((await exchange.balances()).map((balance) => [balance.asset, balance.total.toFixed()])).toEqual([
        ['USDT', '2500'],
      ]);
      await expect(exchange.market('BTCUSDT')).rejects.toThrow(/BTCUSDT/);
      const engine = (exchange as SimExchange).engine;
      const before = engine.now();
      engine.step();
      expect(engine.now()).toBe(before + 1000);
    } finally {
      await exchange.close();
    }
  });

  it('builds a spot sim whose buys move base and quote balances', async () => {
    const exchange = createExchange({
      type: 'sim',
      name: 'spot',
      marketType: 'spot',
      symbols: ['BTCUSDT'],
      balances: { USDT: '1000', BTC: '0' },
      stepIntervalMs: 0,
    });
    try {
      expect((await exchange.market('BTCUSDT')).type).toBe('spot');
      await exchange.placeOrder({
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'MARKET',
        quantity: dec('0.01'),
        postOnly: false,
        reduceOnly: false,
        clientOrderId: 'spot-1',
      });
      const balances = Object.fromEntries(
        (await exchange.balances()).map((balance) => [balance.asset, balance.total.toFixed()]),
      );
      expect(balances).toEqual({ BTC: '0.01', USDT: '399.7' }); // 1000 − 60000 × 0.01 − 0.3 taker fee
      expect(await exchange.positions()).toEqual([]);
    } finally {
      await exchange.close();
    }
  });

  it('builds a sim that moves in real time when a step interval is set, and stops on close', async () => {
    const exchange = createExchange({ type: 'sim', name: 'live-sim', stepIntervalMs: 5 });
    const ticks: PriceTick[] = [];
    const arrived = new Promise<void>((resolve) => {
      void exchange.streamPrices(['BTCUSDT'], {
        onData: (tick) => {
          ticks.push(tick);
          if (ticks.length === 3) resolve();
        },
      });
    });
    await arrived;
    await exchange.close();
    const engine = (exchange as SimExchange).engine;
    const stoppedAt = engine.now();
    await new Promise((resolve) => setTimeout(resolve, 50)); // nothing to await: proving the absence of further ticks
    expect(engine.now()).toBe(stoppedAt);
  });

  it('builds a ccxt exchange for a ccxt pro id and refuses an unknown one', async () => {
    const exchange = createExchange({ type: 'ccxt', name: 'bybit', ccxtId: 'bybit', marketType: 'future' });
    expect(exchange).toBeInstanceOf(CcxtExchange);
    expect(exchange.capabilities.clientOrderIdMaxLength).toBe(36);
    await exchange.close();
    expect(() => createExchange({ type: 'ccxt', name: 'x', ccxtId: 'no-such-venue' })).toThrow(UnsupportedVenueError);
  });
});
