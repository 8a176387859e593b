import type { MarketInterface, Order, Position, Trade } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { ONE, dec } from '../../../src/domain/decimal.js';
import type { Market } from '../../../src/domain/market.js';
import {
  type VenueMarket,
  contractsOf,
  fillOf,
  orderReportOf,
  positionOf,
  venueMarketOf,
} from '../../../src/exchange/ccxt/ccxt-parsers.js';

const market: Market = {
  symbol: 'BTCUSDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'future',
  tickSize: dec('0.1'),
  stepSize: dec('0.001'),
  minQuantity: dec('0.001'),
  minNotional: dec(5),
};
const venue: VenueMarket = { market, contractSize: ONE };

// Unified structures as ccxt binanceusdm parses them (numbers, as ccxt hands them over).
const order = (fields: Partial<Order>) =>
  ({
    id: '8886774',
    clientOrderId: 'grid-1',
    symbol: 'BTC/USDT:USDT',
    type: 'limit',
    side: 'buy',
    price: 59000.1,
    amount: 0.003,
    filled: 0,
    average: undefined,
    status: 'open',
    postOnly: false,
    reduceOnly: false,
    timestamp: 1700000000000,
    lastUpdateTimestamp: 1700000000500,
    ...fields,
  }) as unknown as Order;

describe('ccxt parsers', () => {
  it('normalises statuses and keeps amounts exact on the market grid', () => {
    const open = orderReportOf(order({}), venue);
    expect([open.status, open.price?.toFixed(), open.quantity.toFixed(), open.updatedAt]).toEqual([
      'NEW',
      '59000.1',
      '0.003',
      1700000000500,
    ]);
    expect(orderReportOf(order({ filled: 0.001, average: 59000.1 }), venue).status).toBe('PARTIALLY_FILLED');
    expect(orderReportOf(order({ status: 'closed', filled: 0.003 }), venue).status).toBe('FILLED');
    expect(orderReportOf(order({ status: 'canceled', filled: 0.001 }), venue).status).toBe('CANCELED');
    expect(orderReportOf(order({ status: 'expired' }), venue).status).toBe('EXPIRED');
    expect(orderReportOf(order({ status: 'rejected' }), venue).status).toBe('REJECTED');
    // 0.1 + 0.2 style float noise never reaches QuantMesh.
    expect(orderReportOf(order({ filled: 0.30000000000000004 / 100 }), venue).filledQuantity.toFixed()).toBe('0.003');
  });

  it('signs short positions negative', () => {
    const short = {
      symbol: 'BTC/USDT:USDT',
      contracts: 0.25,
      contractSize: 1,
      side: 'short',
      entryPrice: 61000.5,
      unrealizedPnl: -12.5,
      leverage: 5,
    } as unknown as Position;
    const parsed = positionOf(short, venue);
    expect([
      parsed.quantity.toFixed(),
      parsed.entryPrice.toFixed(),
      parsed.unrealizedPnl.toFixed(),
      parsed.leverage,
    ]).toEqual(['-0.25', '61000.5', '-12.5', 5]);
  });

  describe('contract markets: ccxt amounts are contracts, the port speaks base units', () => {
    // OKX BTC-USDT-SWAP as ccxt loads it: 1 contract = 0.01 BTC, lot and minimum 0.01 contracts.
    const swap = (fields: Partial<MarketInterface>) =>
      ({
        id: 'BTC-USDT-SWAP',
        symbol: 'BTC/USDT:USDT',
        base: 'BTC',
        quote: 'USDT',
        settle: 'USDT',
        type: 'swap',
        swap: true,
        contract: true,
        linear: true,
        inverse: false,
        contractSize: 0.01,
        precision: { amount: 0.01, price: 0.1 },
        limits: { amount: { min: 0.01 }, cost: { min: 5 } },
        ...fields,
      }) as unknown as MarketInterface;
    const okx = venueMarketOf(swap({}), 'future');

    it("puts the market's step and minimum in base units", () => {
      expect([okx.contractSize.toFixed(), okx.market.stepSize.toFixed(), okx.market.minQuantity.toFixed()]).toEqual([
        '0.01',
        '0.0001',
        '0.0001',
      ]);
      expect(okx.unsupported).toBeUndefined();
      // Without an amount step from ccxt, one whole contract.
      expect(
        venueMarketOf(
          swap({ precision: { price: 0.1 } as never, limits: {} as never }),
          'future',
        ).market.stepSize.toFixed(),
      ).toBe('0.01');
    });

    it('converts order, fill and position amounts from contracts, and quantities to contracts', () => {
      const report = orderReportOf(order({ symbol: 'BTC/USDT:USDT', amount: 3, filled: 1.5, average: 59000.1 }), okx);
      expect([report.quantity.toFixed(), report.filledQuantity.toFixed(), report.status]).toEqual([
        '0.03',
        '0.015',
        'PARTIALLY_FILLED',
      ]);
      const trade = { id: 't1', order: '8886774', side: 'sell', price: 59000.1, amount: 2.37, timestamp: 1 } as Trade;
      expect(fillOf(trade, okx, { exchange: 'okx', account: 'a', clientOrderId: 'c' }).quantity.toFixed()).toBe(
        '0.0237',
      );
      // ccxt's position carries its own contractSize; the market's is the one used (the same one orders use).
      const short = {
        symbol: 'BTC/USDT:USDT',
        contracts: 250,
        contractSize: undefined,
        side: 'short',
      } as unknown as Position;
      expect(positionOf(short, okx).quantity.toFixed()).toBe('-2.5');
      expect(contractsOf(dec('0.0237'), okx)).toBe(2.37);
      expect(contractsOf(dec('0.0001'), okx)).toBe(0.01);
    });

    it('marks inverse contracts and contracts without a size unsupported, with the reason', () => {
      expect(venueMarketOf(swap({ linear: false, inverse: true, quote: 'USD' }), 'future').unsupported).toMatch(
        /inverse contracts \(sized in USD, margined in BTC\)/,
      );
      expect(venueMarketOf(swap({ contractSize: undefined }), 'future').unsupported).toMatch(/no contract size/);
      expect(venueMarketOf(swap({ linear: undefined }), 'future').unsupported).toMatch(
        /not say the contract is linear/,
      );
    });
  });
});
