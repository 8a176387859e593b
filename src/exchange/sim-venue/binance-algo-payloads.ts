/** Conditional orders in the shapes of Binance's Algo Order API (REST answers and `ALGO_UPDATE`). */
import { ZERO, decimalToString as text } from '../../domain/decimal.js';
import { type SimOrder, reportOf } from '../sim/sim-order.js';
import type { SimTrigger } from '../sim/sim-trigger-book.js';

/** Binance's algo status of a conditional order. */
export function algoStatusOf(order: SimOrder): string {
  if (order.status === 'FILLED') return 'FINISHED';
  return order.status === 'PARTIALLY_FILLED' ? 'TRIGGERED' : order.status;
}

export function algoOrderPayload(order: SimOrder): object {
  const trigger = order.trigger as SimTrigger;
  const report = reportOf(order);
  const fired = order.filled.gt(ZERO);
  return {
    algoId: Number(order.exchangeOrderId),
    clientAlgoId: order.clientOrderId,
    algoType: 'CONDITIONAL',
    orderType: trigger.kind,
    symbol: order.symbol,
    side: order.side,
    positionSide: 'BOTH',
    timeInForce: 'GTC',
    quantity: text(order.quantity),
    algoStatus: algoStatusOf(order),
    triggerPrice: text(trigger.stopPrice),
    price: '0',
    icebergQuantity: null,
    selfTradePreventionMode: 'NONE',
    workingType: 'CONTRACT_PRICE',
    priceMatch: 'NONE',
    closePosition: false,
    priceProtect: false,
    reduceOnly: order.reduceOnly,
    createTime: order.createdAt,
    updateTime: order.updatedAt,
    triggerTime: fired ? order.updatedAt : 0,
    goodTillDate: 0,
    actualOrderId: fired ? order.exchangeOrderId : '',
    actualPrice: fired ? text(report.averagePrice ?? ZERO) : '0',
  };
}

/** `ALGO_UPDATE` user-stream event for a conditional order's change. */
export function algoUpdatePayload(order: SimOrder, eventTime: number): object {
  const trigger = order.trigger as SimTrigger;
  const report = reportOf(order);
  return {
    e: 'ALGO_UPDATE',
    T: eventTime,
    E: eventTime,
    o: {
      caid: order.clientOrderId,
      aid: Number(order.exchangeOrderId),
      at: 'CONDITIONAL',
      o: trigger.kind,
      s: order.symbol,
      S: order.side,
      ps: 'BOTH',
      f: 'GTC',
      q: text(order.quantity),
      X: algoStatusOf(order),
      ai: order.filled.gt(ZERO) ? order.exchangeOrderId : '',
      ap: text(report.averagePrice ?? order.filled),
      aq: text(order.filled),
      act: 'MARKET',
      tp: text(trigger.stopPrice),
      p: '0',
      V: 'NONE',
      wt: 'CONTRACT_PRICE',
      pm: 'NONE',
      cp: false,
      pP: false,
      R: order.reduceOnly,
      tt: 0,
      gtd: 0,
    },
  };
}
