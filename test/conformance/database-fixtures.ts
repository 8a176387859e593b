/** Records for the Database conformance suite, built from exact decimal strings. */
import { dec } from '../../src/domain/decimal.js';
import type { Fill } from '../../src/domain/fill.js';
import type { Trade } from '../../src/domain/trade.js';
import type { EventRecord, GridRecord, OrderIntent, OrderRecord, SlotRecord } from '../../src/storage/records.js';

export const DAY = 86_400_000;
/** 2026-11-20T00:00:00Z */
export const DAY0 = Date.UTC(2026, 10, 20);

export function trade(
  id: string,
  overrides: Partial<Omit<Trade, 'quantity' | 'buyPrice' | 'sellPrice' | 'fees' | 'realizedPnl'>> & {
    quantity?: string;
    buyPrice?: string;
    sellPrice?: string;
    fees?: string;
    realizedPnl?: string;
  } = {},
): Trade {
  const {
    quantity = '0.5',
    buyPrice = '100',
    sellPrice = '101',
    fees = '0.05',
    realizedPnl = '0.45',
    ...rest
  } = overrides;
  return {
    id,
    exchange: 'sim',
    symbol: 'BTCUSDT',
    level: 3,
    cycle: 1,
    openedAt: DAY0,
    closedAt: DAY0 + 1000,
    ...rest,
    quantity: dec(quantity),
    buyPrice: dec(buyPrice),
    sellPrice: dec(sellPrice),
    fees: dec(fees),
    realizedPnl: dec(realizedPnl),
  };
}

export function fill(tradeId: string, overrides: Partial<Fill> = {}): Fill {
  return {
    exchange: 'sim',
    account: 'main',
    tradeId,
    symbol: 'BTCUSDT',
    clientOrderId: `c-${tradeId}`,
    exchangeOrderId: `x-${tradeId}`,
    side: 'BUY',
    price: dec('99.123456789012345678'),
    quantity: dec('0.001'),
    fee: dec('-0.0001'),
    feeAsset: 'USDT',
    isMaker: true,
    time: DAY0 + 5000,
    ...overrides,
  };
}

export function order(clientOrderId: string, overrides: Partial<OrderRecord> = {}): OrderRecord {
  return {
    exchange: 'sim',
    symbol: 'BTCUSDT',
    clientOrderId,
    side: 'BUY',
    type: 'LIMIT',
    price: dec('100.5'),
    quantity: dec('0.01'),
    filledQuantity: dec('0'),
    status: 'NEW',
    postOnly: true,
    reduceOnly: false,
    createdAt: DAY0,
    updatedAt: DAY0,
    level: 4,
    cycle: 0,
    ...overrides,
  };
}

export function intent(clientOrderId: string, overrides: Partial<OrderIntent> = {}): OrderIntent {
  return {
    exchange: 'sim',
    symbol: 'BTCUSDT',
    level: 7,
    cycle: 0,
    side: 'BUY',
    clientOrderId,
    price: dec('93.1'),
    quantity: dec('0.01'),
    fenceKey: 'order:sim:BTCUSDT',
    fencingToken: 10n,
    instanceId: 'i-1',
    createdAt: DAY0,
    ...overrides,
  };
}

export function grid(overrides: Partial<GridRecord> = {}): GridRecord {
  return {
    exchange: 'sim',
    symbol: 'BTCUSDT',
    anchor: dec('100'),
    interval: dec('0.5'),
    paused: false,
    createdAt: DAY0,
    updatedAt: DAY0,
    ...overrides,
  };
}

export function slot(level: number, overrides: Partial<SlotRecord> = {}): SlotRecord {
  return {
    exchange: 'sim',
    symbol: 'BTCUSDT',
    level,
    cycle: 0,
    positionQuantity: dec('0'),
    entryPrice: dec('0'),
    entryFees: dec('0'),
    postOnlyRejections: 0,
    updatedAt: DAY0,
    ...overrides,
  };
}

export function event(time: number, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    time,
    type: 'grid.paused',
    instanceId: 'i-1',
    exchange: 'sim',
    symbol: 'BTCUSDT',
    details: { reason: 'risk' },
    ...overrides,
  };
}

/** Decimal equality as canonical text (exactness check). */
export const text = (value: { toFixed(): string }): string => value.toFixed();
