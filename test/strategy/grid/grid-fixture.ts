/** Builders shared by the grid strategy tests: a futures market, settings and started grids. */
import { type Decimal, dec } from '../../../src/domain/decimal.js';
import type { Fill } from '../../../src/domain/fill.js';
import type { Market } from '../../../src/domain/market.js';
import type { OrderSide } from '../../../src/domain/order.js';
import { createGridState } from '../../../src/strategy/grid/create-grid-state.js';
import { type Decision, decide } from '../../../src/strategy/grid/decide.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { GridEvent, VenueOrder } from '../../../src/strategy/grid/grid-event.js';
import { type GridSettingsInput, gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';

export const MARKET: Market = Object.freeze({
  symbol: 'BTC/USDT:USDT',
  base: 'BTC',
  quote: 'USDT',
  type: 'future',
  tickSize: dec('0.1'),
  stepSize: dec('0.001'),
  minQuantity: dec('0.001'),
  minNotional: dec('5'),
});

export const BASE_SETTINGS: GridSettingsInput = {
  priceInterval: '10',
  orderQuantity: '30',
  buyWindowSize: 3,
  sellWindowSize: 3,
  feeRate: '0.0002',
};

export function newGrid(overrides: Partial<GridSettingsInput> = {}, market: Market = MARKET): GridState {
  return createGridState(
    { exchange: 'binance', symbol: market.symbol, market, settings: gridSettings({ ...BASE_SETTINGS, ...overrides }) },
    0,
  );
}

/** A grid past its account check, anchored at `price` (default 1000) and reacting to it. */
export function startedGrid(
  overrides: Partial<GridSettingsInput> = {},
  price = '1000',
  market: Market = MARKET,
): Decision {
  const checked = decide(newGrid(overrides, market), {
    type: 'AccountChecked',
    time: 1,
    availableBalance: dec('100000'),
    leverage: 5,
  });
  return decide(checked.state, { type: 'PriceUpdated', time: 2, price: dec(price) });
}

/** Runs events in order, returning the last decision and every command. */
export function run(
  state: GridState,
  events: readonly GridEvent[],
): { state: GridState; commands: GridCommand[]; last: Decision | undefined } {
  let current = state;
  const commands: GridCommand[] = [];
  let last: Decision | undefined;
  for (const event of events) {
    last = decide(current, event);
    current = last.state;
    commands.push(...last.commands);
  }
  return { state: current, commands, last };
}

export function price(time: number, value: string): GridEvent {
  return { type: 'PriceUpdated', time, price: dec(value) };
}

export function places(commands: readonly GridCommand[]): Extract<GridCommand, { type: 'PlaceOrder' }>[] {
  return commands.filter((c): c is Extract<GridCommand, { type: 'PlaceOrder' }> => c.type === 'PlaceOrder');
}

export function cancels(commands: readonly GridCommand[]): Extract<GridCommand, { type: 'CancelOrder' }>[] {
  return commands.filter((c): c is Extract<GridCommand, { type: 'CancelOrder' }> => c.type === 'CancelOrder');
}

export function trades(commands: readonly GridCommand[]) {
  return commands
    .filter((c): c is Extract<GridCommand, { type: 'BookTrade' }> => c.type === 'BookTrade')
    .map((c) => c.trade);
}

export function orderId(state: GridState, level: number): string {
  const order = state.slots.get(level)?.order;
  if (order === undefined) throw new Error(`no order at level ${level}`);
  return order.clientOrderId;
}

let tradeSeq = 0;
export function fill(
  clientOrderId: string,
  side: OrderSide,
  priceText: string,
  quantity: string,
  time: number,
  fee = '0',
  feeAsset = 'USDT',
): Fill {
  tradeSeq += 1;
  return {
    exchange: 'binance',
    account: 'acct',
    tradeId: `t${tradeSeq}`,
    symbol: MARKET.symbol,
    clientOrderId,
    exchangeOrderId: 'x',
    side,
    price: dec(priceText),
    quantity: dec(quantity),
    fee: dec(fee),
    feeAsset,
    isMaker: true,
    time,
  };
}

export function filled(f: Fill): GridEvent {
  return { type: 'OrderFilled', time: f.time, fill: f };
}

export function accepted(state: GridState, level: number, time: number): GridEvent {
  return { type: 'OrderAccepted', time, clientOrderId: orderId(state, level), exchangeOrderId: `ex-${level}` };
}

export function venueOrder(
  clientOrderId: string,
  side: OrderSide,
  priceText: string,
  quantity: string,
  filledQty = '0',
  status: VenueOrder['status'] = 'NEW',
): VenueOrder {
  return {
    exchangeOrderId: `ex-${clientOrderId}`,
    clientOrderId,
    side,
    type: 'LIMIT',
    price: dec(priceText),
    quantity: dec(quantity),
    filledQuantity: dec(filledQty),
    status,
    postOnly: true,
    reduceOnly: side === 'SELL',
  };
}

export function d(value: string): Decimal {
  return dec(value);
}
