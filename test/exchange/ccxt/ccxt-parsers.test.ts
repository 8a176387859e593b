import type { Order, Position } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { Market } from '../../../src/domain/market.js';
import { orderReportOf, positionOf } from '../../../src/exchange/ccxt/ccxt-parsers.js';

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
    const open = orderReportOf(order({}), market);
    expect([open.status, open.price?.toFixed(), open.quantity.toFixed(), open.updatedAt]).toEqual([
      'NEW',
      '59000.1',
      '0.003',
      1700000000500,
    ]);
    expect(orderReportOf(order({ filled: 0.001, average: 59000.1 }), market).status).toBe('PARTIALLY_FILLED');
    expect(orderReportOf(order({ status: 'closed', filled: 0.003 }), market).status).toBe('FILLED');
    expect(orderReportOf(order({ status: 'canceled', filled: 0.001 }), market).status).toBe('CANCELED');
    expect(orderReportOf(order({ status: 'expired' }), market).status).toBe('EXPIRED');
    expect(orderReportOf(order({ status: 'rejected' }), market).status).toBe('REJECTED');
    // 0.1 + 0.2 style float noise never reaches QuantMesh.
    expect(orderReportOf(order({ filled: 0.30000000000000004 / 100 }), market).filledQuantity.toFixed()).toBe('0.003');
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
    const parsed = positionOf(short, market);
    expect([
      parsed.quantity.toFixed(),
      parsed.entryPrice.toFixed(),
      parsed.unrealizedPnl.toFixed(),
      parsed.leverage,
    ]).toEqual(['-0.25', '61000.5', '-12.5', 5]);
  });
});
