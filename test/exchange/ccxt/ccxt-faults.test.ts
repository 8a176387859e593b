/**
 * CcxtExchange(binanceusdm) under venue faults, against a sim-venue behind a FaultProxy:
 * throttling, unreachable venue, and a request lost in transit (unknown outcome, style rule 11).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { limitBuy } from './limit-buy.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import {
  ExchangeUnavailableError,
  NetworkUnknownOutcomeError,
  RateLimitedError,
} from '../../../src/exchange/errors.js';
import { type SimVenueServer, startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';
import { FaultProxy } from '../../harness/fault-proxy.js';

const credentials = { apiKey: 'fault-key', apiSecret: 'fault-secret' };
const opened: { close(): Promise<void> }[] = [];

async function venue(
  options: Partial<Parameters<typeof startSimVenueServer>[0]> = {},
): Promise<{ server: SimVenueServer; proxy: FaultProxy; exchange: CcxtExchange }> {
  const server = await startSimVenueServer({ accounts: [credentials], stepIntervalMs: 0, ...options });
  const proxy = await FaultProxy.start('127.0.0.1', Number(new URL(server.url).port));
  const exchange = new CcxtExchange({
    name: 'binance',
    ccxtId: 'binanceusdm',
    marketType: 'future',
    ...credentials,
    baseUrl: `http://127.0.0.1:${proxy.port}`,
    requestTimeoutMs: 1500,
  });
  opened.push(exchange, proxy, server);
  return { server, proxy, exchange };
}

afterEach(async () => {
  for (const resource of opened.splice(0).reverse()) await resource.close();
});

describe('CcxtExchange under venue faults', () => {
  it('maps the venue throttling requests (-1003, HTTP 429) to RateLimitedError', async () => {
    const { exchange } = await venue({ rateLimit: { limit: 3, windowMs: 60_000 } });
    await exchange.market('BTCUSDT');
    const outcomes = await Promise.allSettled(
      [0, 1, 2, 3, 4].map((index) => exchange.openOrders('BTCUSDT').then(() => index)),
    );
    const refused = outcomes
      .filter((outcome) => outcome.status === 'rejected')
      .map((outcome) => (outcome as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    for (const reason of refused) expect(reason).toBeInstanceOf(RateLimitedError);
  });

  it('reports an order whose request was swallowed in transit as an unknown outcome, and a read as unavailable', async () => {
    const { proxy, exchange } = await venue();
    await exchange.market('BTCUSDT');
    proxy.blackhole();
    await expect(exchange.placeOrder(limitBuy('lost-1'))).rejects.toBeInstanceOf(NetworkUnknownOutcomeError);
    await expect(exchange.openOrders('BTCUSDT')).rejects.toBeInstanceOf(ExchangeUnavailableError);
    proxy.restore();
    // The caller's duty after an unknown outcome: look the order up by client order id.
    expect(await exchange.getOrder('BTCUSDT', 'lost-1')).toBeUndefined();
  });

  it('ends the wait on abort: an order in flight becomes an unknown outcome, an aborted read rejects with the reason', async () => {
    const { proxy, exchange } = await venue();
    await exchange.market('BTCUSDT');
    proxy.blackhole();
    await expect(exchange.placeOrder(limitBuy('abort-1'), AbortSignal.timeout(100))).rejects.toBeInstanceOf(
      NetworkUnknownOutcomeError,
    );
    await expect(exchange.openOrders('BTCUSDT', AbortSignal.timeout(100))).rejects.toMatchObject({
      name: 'TimeoutError',
    });
    proxy.restore();
    // Already aborted: nothing is sent, so the venue never sees the order.
    await expect(exchange.placeOrder(limitBuy('abort-2'), AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await exchange.getOrder('BTCUSDT', 'abort-2')).toBeUndefined();
  });
});
