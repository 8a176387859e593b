/**
 * CcxtExchange(binanceusdm) against a sim-venue server started by the test (in-process server,
 * manual clock, test hooks on), through the Exchange conformance suite; and a refused key replaced
 * while it runs (`changeCredentials`).
 */
import { expect, it } from 'vitest';
import { dec } from '../../src/domain/decimal.js';
import { CcxtExchange, accountIdentity } from '../../src/exchange/ccxt/ccxt-exchange.js';
import { AuthenticationError } from '../../src/exchange/errors.js';
import type { ExecutionEvent } from '../../src/exchange/exchange.js';
import { startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { exchangeConformanceSuite } from '../conformance/exchange.suite.js';
import { forVenueBackend } from './venue-backends.js';

const API_KEY = 'conformance-key';
const API_SECRET = 'conformance-secret';

forVenueBackend('ccxt', () => {
  exchangeConformanceSuite('CcxtExchange(binanceusdm) → sim-venue', async () => {
    const server = await startSimVenueServer({
      seed: 42,
      accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
      stepIntervalMs: 0,
      admin: true,
      liquidityPerTick: dec('0.005'),
    });
    const warnings: string[] = [];
    const connect = (apiSecret: string) =>
      new CcxtExchange({
        name: 'binance',
        ccxtId: 'binanceusdm',
        marketType: 'future',
        apiKey: API_KEY,
        apiSecret,
        baseUrl: server.url,
        logger: { warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`) },
      });
    const exchange = connect(API_SECRET);
    const admin = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST' });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    };
    return {
      exchange,
      wire: true,
      setPrice: (price) => admin(`/_sim/price?symbol=BTCUSDT&price=${price}`),
      step: (ticks) => admin(`/_sim/step?ticks=${ticks}`),
      dropStreams: () => admin('/_sim/drop-streams'),
      injectMalformed: () => admin('/_sim/inject-malformed?target=user'),
      warnings: () => warnings,
      withWrongCredentials: () => connect('not-the-secret'),
      close: async () => {
        await exchange.close();
        await server.close();
      },
    };
  });
});

forVenueBackend('ccxt', () => {
  it('a refused key replaced with changeCredentials: later requests and the stream subscribed before use the new one', async () => {
    const server = await startSimVenueServer({
      seed: 7,
      accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
      stepIntervalMs: 0,
    });
    const exchange = new CcxtExchange({
      name: 'binance',
      ccxtId: 'binanceusdm',
      marketType: 'future',
      apiKey: 'not-a-key-of-the-venue',
      apiSecret: API_SECRET,
      baseUrl: server.url,
    });
    try {
      const events: ExecutionEvent[] = [];
      await exchange.streamExecutions({ onData: (event) => events.push(event) });
      await expect(exchange.balances()).rejects.toBeInstanceOf(AuthenticationError);

      exchange.changeCredentials({ apiKey: API_KEY, apiSecret: API_SECRET });
      expect(exchange.account).toBe(accountIdentity(API_KEY));
      expect((await exchange.balances()).length).toBeGreaterThan(0);
      // The stream's subscription is retried with the new key (its loop backs off up to 5 s): an
      // order placed once it is back is reported on it.
      let placed = 0;
      await expect
        .poll(
          async () => {
            placed += 1;
            await exchange.placeOrder({
              symbol: 'BTCUSDT',
              side: 'BUY',
              type: 'LIMIT',
              price: dec(50000 - placed * 10),
              quantity: dec('0.002'),
              postOnly: true,
              reduceOnly: false,
              clientOrderId: `key-fixed-${placed}`,
            });
            return events.some((event) => event.type === 'order' && event.order.clientOrderId.startsWith('key-fixed-'));
          },
          { timeout: 20_000, interval: 500 },
        )
        .toBe(true);
      expect(await exchange.getOrder('BTCUSDT', 'key-fixed-1')).toMatchObject({ status: 'NEW' });
    } finally {
      await exchange.close();
      await server.close();
    }
  }, 60_000);
});
