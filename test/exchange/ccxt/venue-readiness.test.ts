/**
 * Real venues ready (issue 12 item 6): for each profiled ccxt venue, on responses recorded from the
 * venue's API documentation or ccxt's own test recordings (fixtures/venues/<ccxt id>.json, `source` names the page), offline:
 * markets come from the fixture, requests go to a loopback replay server (venue-replay.ts), and
 * everything passes through ccxt and QuantMesh's adapter as in production. Checked per venue: the
 * client order id limits, the post-only / reduce-only mapping and the client order id field of the
 * request ccxt builds, the duplicate-client-order-id error, and order status normalisation; and
 * that quantities stay base-asset units where ccxt counts contracts (OKX swaps, Gate futures): the
 * amount field of the request, and the quantity and filled quantity of recorded orders.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import ccxt, { type Exchange as CcxtClient } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { MarketType } from '../../../src/domain/market.js';
import { CcxtExchange } from '../../../src/exchange/ccxt/ccxt-exchange.js';
import { mapCcxtError } from '../../../src/exchange/ccxt/ccxt-error-mapper.js';
import { orderReportOf, venueMarketOf } from '../../../src/exchange/ccxt/ccxt-parsers.js';
import { CCXT_VENUE_PROFILES } from '../../../src/exchange/ccxt/ccxt-venue-profiles.js';
import { DuplicateClientOrderIdError, InvalidOrderError } from '../../../src/exchange/errors.js';
import { type VenueReplay, marketsFromFixture, startVenueReplay } from './venue-replay.js';

interface VenueFixture {
  readonly source: string;
  readonly ccxtId: string;
  readonly marketType: MarketType;
  readonly symbol: string;
  readonly ccxtOptions?: Record<string, unknown>;
  readonly market: { contractSize?: number } & Record<string, unknown>;
  /** Where the placement goes and how ccxt must spell the id, post-only, reduce-only and the amount (in the venue's unit). */
  readonly request: {
    readonly path: string;
    readonly clientOrderIdField: string;
    readonly postOnly: Record<string, string>;
    readonly reduceOnly?: Record<string, string>;
    readonly amount: Record<string, string>;
  };
  readonly placed: { readonly status: number; readonly body: unknown };
  readonly duplicate?: { readonly status: number; readonly body: unknown };
  /** Recorded orders, with the status and (where given) the base quantities they must come out as. */
  readonly orders: readonly {
    readonly status: string;
    readonly quantity?: string;
    readonly filledQuantity?: string;
    readonly body: Record<string, unknown>;
  }[];
}

const directory = join(import.meta.dirname, 'fixtures', 'venues');
const fixtures: VenueFixture[] = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .map((file) => JSON.parse(readFileSync(join(directory, file), 'utf8')) as VenueFixture);

const credentials = { apiKey: 'readiness-key', apiSecret: 'readiness-secret', password: 'readiness-pass' };

function offlineClient(fixture: VenueFixture): CcxtClient {
  const Venue = (ccxt.pro as unknown as Record<string, new (config: object) => CcxtClient>)[fixture.ccxtId]!;
  const client = new Venue({ ...credentials, secret: credentials.apiSecret, options: fixture.ccxtOptions ?? {} });
  client.setMarkets([fixture.market as never]);
  return client;
}

describe('real venues ready', () => {
  it('has a fixture for every profiled venue', () => {
    expect(fixtures.map((fixture) => fixture.ccxtId).sort()).toEqual(Object.keys(CCXT_VENUE_PROFILES).sort());
  });

  for (const fixture of fixtures) {
    describe(`${fixture.ccxtId} (${fixture.marketType})`, () => {
      const profile = CCXT_VENUE_PROFILES[fixture.ccxtId]!;
      const venue = venueMarketOf(fixture.market as never, fixture.marketType);
      const { market } = venue;
      let replay: VenueReplay;
      let exchange: CcxtExchange;
      beforeAll(async () => {
        replay = await startVenueReplay();
        marketsFromFixture(fixture.ccxtId, [fixture.market]);
        exchange = new CcxtExchange({
          name: fixture.ccxtId,
          ccxtId: fixture.ccxtId,
          marketType: fixture.marketType,
          ...credentials,
          baseUrl: replay.url,
          ccxtOptions: fixture.ccxtOptions,
        });
      });
      afterAll(async () => {
        await exchange.close();
        await replay.close();
      });

      const sell = (clientOrderId: string) => ({
        symbol: fixture.symbol,
        side: 'SELL' as const,
        type: 'LIMIT' as const,
        price: dec('50000'),
        quantity: market.minQuantity.mul(2),
        postOnly: true,
        reduceOnly: fixture.marketType === 'future',
        clientOrderId,
      });

      it('client order id: the longest id of allowed characters passes the check, one more character or a foreign one is refused before sending', async () => {
        expect(exchange.capabilities.clientOrderIdMaxLength).toBe(profile.clientOrderIdMaxLength);
        const longest = 'a1'.repeat(profile.clientOrderIdMaxLength).slice(0, profile.clientOrderIdMaxLength);
        expect(profile.clientOrderIdPattern.test(longest)).toBe(true);
        const sent = replay.requests.length;
        await expect(exchange.placeOrder(sell(`${longest}b`))).rejects.toBeInstanceOf(InvalidOrderError);
        await expect(exchange.placeOrder(sell('qm#1'))).rejects.toBeInstanceOf(InvalidOrderError);
        expect(replay.requests.length).toBe(sent);
      });

      it(`places a post-only${fixture.marketType === 'future' ? ', reduce-only' : ''} limit order as the venue spells it, the amount in its unit`, async () => {
        const { request, placed } = fixture;
        replay.answerWith(placed);
        const report = await exchange.placeOrder(sell('qm1rdyb1'));
        const sent = replay.requests.filter((entry) => entry.path === request.path);
        expect(sent).toHaveLength(1);
        const params = Object.fromEntries(Object.entries(sent[0]!.params).map(([key, value]) => [key, String(value)]));
        expect(params[request.clientOrderIdField]).toMatch(/qm1rdyb1$/);
        expect(params).toMatchObject({ ...request.postOnly, ...request.reduceOnly, ...request.amount });
        expect({ ...report, quantity: report.quantity.toFixed() }).toMatchObject({
          clientOrderId: 'qm1rdyb1',
          side: 'SELL',
          status: 'NEW',
          quantity: market.minQuantity.mul(2).toFixed(),
          postOnly: true,
          reduceOnly: fixture.marketType === 'future',
        });
        expect(report.exchangeOrderId).not.toBe('');
      });

      if (fixture.duplicate !== undefined) {
        const duplicate = fixture.duplicate;
        it("maps the venue's duplicate client order id refusal to DuplicateClientOrderIdError", () => {
          const client = offlineClient(fixture);
          let raised: unknown;
          try {
            const body = JSON.stringify(duplicate.body);
            client.handleErrors(duplicate.status, '', `${replay.url}/order`, 'POST', {}, body, duplicate.body, {}, '');
            if (duplicate.status >= 400)
              client.handleHttpStatusCode(duplicate.status, '', `${replay.url}/order`, 'POST', body);
          } catch (error) {
            raised = error;
          }
          const mapped = mapCcxtError(raised, {
            venue: fixture.ccxtId,
            profile,
            changesState: true,
            clientOrderId: 'qm1rdyb1',
          });
          expect(mapped).toBeInstanceOf(DuplicateClientOrderIdError);
        });
      }

      it('normalises the order statuses of recorded answers, quantities in base units', () => {
        const client = offlineClient(fixture);
        const ccxtMarket = client.market(fixture.market['symbol'] as string);
        const reports = fixture.orders.map((order) => orderReportOf(client.parseOrder(order.body, ccxtMarket), venue));
        expect(reports.map((report) => report.status)).toEqual(fixture.orders.map((order) => order.status));
        fixture.orders.forEach((order, index) => {
          const report = reports[index]!;
          if (order.quantity !== undefined) expect(report.quantity.toFixed()).toBe(order.quantity);
          if (order.filledQuantity !== undefined) expect(report.filledQuantity.toFixed()).toBe(order.filledQuantity);
        });
      });
    });
  }
});
