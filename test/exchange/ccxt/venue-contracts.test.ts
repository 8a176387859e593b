/**
 * Contract-sized markets through ccxt (OKX BTC-USDT-SWAP: 0.01 BTC a contract; Gate BTC_USDT:
 * 0.0001 BTC), offline as in venue-readiness.test.ts: markets and recorded answers from
 * fixtures/venues/<ccxt id>.json, requests to the loopback replay server, the real ccxt and
 * CcxtExchange. Shown both ways: base quantities go out as contracts (single and batch placement),
 * contracts come back as base quantities (an order, a fill, a position), a quantity off the
 * contract lot is refused before sending, and inverse swaps are still refused with their reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import { InvalidOrderError, UnsupportedVenueError } from '../../../src/exchange/errors.js';
import { type ReplayAnswer, type VenueReplay, marketsFromFixture, startVenueReplay } from './venue-replay.js';

interface ContractFixture {
  readonly ccxtId: string;
  readonly symbol: string;
  readonly market: Record<string, unknown>;
  readonly request: { readonly path: string; readonly amount: Record<string, string> };
  readonly placed: ReplayAnswer;
  readonly fetched: ReplayAnswer;
  readonly fills: ReplayAnswer;
  readonly positions: ReplayAnswer;
}

const fixtureOf = (ccxtId: string) =>
  JSON.parse(
    readFileSync(join(import.meta.dirname, 'fixtures', 'venues', `${ccxtId}.json`), 'utf8'),
  ) as ContractFixture;

const credentials = { apiKey: 'contracts-key', apiSecret: 'contracts-secret', password: 'contracts-pass' };

/** What the recorded answers must come out as, in BTC (the fixtures' amounts are contracts). */
const VENUES = [
  {
    ccxtId: 'okx',
    batchPath: '/api/v5/trade/batch-orders',
    // sz 1 contract, accFillSz 0.5; fillSz 0.5; pos -3.
    order: { quantity: '0.01', filledQuantity: '0.005', clientOrderId: 'b15' },
    fill: '0.005',
    position: '-0.03',
  },
  {
    ccxtId: 'gate',
    batchPath: '/api/v4/futures/usdt/batch_orders',
    // size 6024 contracts, left 2000; trade size 4024; position size -9440.
    order: { quantity: '0.6024', filledQuantity: '0.4024', clientOrderId: 'my-custom-id' },
    fill: '0.4024',
    position: '-0.944',
  },
] as const;

describe('contract-sized markets through ccxt', () => {
  for (const expected of VENUES) {
    describe(expected.ccxtId, () => {
      const fixture = fixtureOf(expected.ccxtId);
      let replay: VenueReplay;
      let exchange: CcxtExchange;
      beforeAll(async () => {
        replay = await startVenueReplay();
        marketsFromFixture(fixture.ccxtId, [fixture.market]);
        exchange = new CcxtExchange({
          name: fixture.ccxtId,
          ccxtId: fixture.ccxtId,
          marketType: 'future',
          ...credentials,
          baseUrl: replay.url,
        });
      });
      afterAll(async () => {
        await exchange.close();
        await replay.close();
      });

      const sell = (quantity: string, clientOrderId: string) => ({
        symbol: fixture.symbol,
        side: 'SELL' as const,
        type: 'LIMIT' as const,
        price: dec('50000'),
        quantity: dec(quantity),
        postOnly: true,
        reduceOnly: false,
        clientOrderId,
      });

      it('gives the market in base units: step and minimum one lot of 0.0001 BTC', async () => {
        const market = await exchange.market(fixture.symbol);
        expect([market.stepSize.toFixed(), market.minQuantity.toFixed(), market.base]).toEqual([
          '0.0001',
          '0.0001',
          'BTC',
        ]);
      });

      it('refuses a quantity that is not a whole multiple of the contract lot before sending, naming the lot', async () => {
        const sent = replay.requests.length;
        const refusal = exchange.placeOrder(sell('0.00015', 'qm1lot1'));
        await expect(refusal).rejects.toBeInstanceOf(InvalidOrderError);
        await expect(refusal).rejects.toThrow(/0\.00015 BTC is not a whole multiple of the contract lot 0\.0001 BTC/);
        expect(replay.requests.length).toBe(sent);
      });

      it('sends a batch of base quantities as contracts', async () => {
        expect(exchange.capabilities.batchPlace).toBe(true);
        replay.answerWith({ status: 200, body: { code: '1', msg: 'recorded for the request only', data: [] } });
        await exchange.placeOrders([sell('0.0002', 'qm1batch1')]);
        const sent = replay.requests.filter((entry) => entry.path === expected.batchPath);
        expect(sent).toHaveLength(1);
        const params = Object.fromEntries(Object.entries(sent[0]!.params).map(([key, value]) => [key, String(value)]));
        expect(params).toMatchObject(fixture.request.amount);
      });

      it("reads a partially filled order's contracts back as base units", async () => {
        replay.answerWith(fixture.fetched);
        const report = await exchange.getOrder(fixture.symbol, 'qm1rdyb1');
        expect({
          quantity: report?.quantity.toFixed(),
          filledQuantity: report?.filledQuantity.toFixed(),
          clientOrderId: report?.clientOrderId,
          status: report?.status,
        }).toEqual({ ...expected.order, status: 'PARTIALLY_FILLED' });
      });

      it("reads a fill's contracts back as base units (fillsSince)", async () => {
        replay.answerWith(fixture.fills);
        const page = await exchange.fillsSince(fixture.symbol, undefined);
        expect(page.fills.map((fill) => [fill.quantity.toFixed(), fill.clientOrderId])).toEqual([
          [expected.fill, expected.order.clientOrderId],
        ]);
      });

      it("reads a short position's contracts back as a signed base quantity", async () => {
        replay.answerWith(fixture.positions);
        const positions = await exchange.positions([fixture.symbol]);
        expect(positions.map((position) => [position.symbol, position.quantity.toFixed()])).toEqual([
          [fixture.symbol, expected.position],
        ]);
      });
    });
  }

  it('still refuses an inverse swap, with the reason, before sending', async () => {
    const linear = fixtureOf('okx').market;
    // OKX BTC-USD-SWAP: 100 USD a contract, margined in BTC.
    const inverse = {
      ...linear,
      id: 'BTC-USD-SWAP',
      symbol: 'BTC/USD:BTC',
      quote: 'USD',
      settle: 'BTC',
      quoteId: 'USD',
      settleId: 'BTC',
      linear: false,
      inverse: true,
      contractSize: 100,
      precision: { amount: 1, price: 0.1 },
      limits: { amount: { min: 1 }, price: {}, cost: {}, leverage: {} },
    };
    const replay = await startVenueReplay();
    marketsFromFixture('okx', [linear, inverse]);
    const exchange = new CcxtExchange({
      name: 'okx',
      ccxtId: 'okx',
      marketType: 'future',
      ...credentials,
      baseUrl: replay.url,
    });
    try {
      const placing = exchange.placeOrder({
        symbol: 'BTC-USD-SWAP',
        side: 'BUY',
        type: 'LIMIT',
        price: dec('50000'),
        quantity: dec('1'),
        postOnly: false,
        reduceOnly: false,
        clientOrderId: 'qm1inv1',
      });
      await expect(placing).rejects.toBeInstanceOf(UnsupportedVenueError);
      await expect(placing).rejects.toThrow(/BTC-USD-SWAP: inverse contracts \(sized in USD, margined in BTC\)/);
      expect(replay.requests.filter((entry) => entry.method === 'POST')).toEqual([]);
      // The linear swap of the same venue trades.
      expect((await exchange.market('BTC-USDT-SWAP')).stepSize.toFixed()).toBe('0.0001');
    } finally {
      await exchange.close();
      await replay.close();
    }
  });
});
