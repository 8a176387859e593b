/**
 * The one mapping from what the venue or the grid says about an order to its stored row (the
 * Database port's OrderRecord): a venue report, a slot order that a decision ended, and a slot order
 * the venue no longer knows (ended as EXPIRED). Each row carries the slot's level and cycle when the
 * client order id is a grid order's.
 */
import type { OrderReport } from '../../exchange/exchange.js';
import type { OrderRecord } from '../../storage/records.js';
import { type ClientOrderIdFormat, parseClientOrderId } from '../../strategy/grid/client-order-id.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import { toOrderRecord } from '../../strategy/grid/grid-records.js';
import type { GridState, Slot } from '../../strategy/grid/grid-state.js';

/** A venue report as stored: the venue's view of the order, at the venue's time. */
export function reportRecord(
  exchange: string,
  report: OrderReport,
  idFormat: ClientOrderIdFormat | undefined,
): OrderRecord {
  const parsed = parseClientOrderId(report.clientOrderId, idFormat);
  return {
    exchange,
    symbol: report.symbol,
    clientOrderId: report.clientOrderId,
    exchangeOrderId: report.exchangeOrderId,
    side: report.side,
    type: report.type,
    price: report.price,
    quantity: report.quantity,
    filledQuantity: report.filledQuantity,
    averagePrice: report.averagePrice,
    status: report.status,
    postOnly: report.postOnly,
    reduceOnly: report.reduceOnly,
    createdAt: report.updatedAt,
    updatedAt: report.updatedAt,
    level: parsed?.purpose === 'grid' ? parsed.level : undefined,
    cycle: parsed?.purpose === 'grid' ? parsed.cycle : undefined,
  };
}

/**
 * The stored row of a slot order that this decision took out of its slot, in its final state: the
 * grid keeps only working orders, so without it a filled or refused order would stay "working" in
 * the store (a filled order whose closing report is never seen, e.g. fills recovered while down or a
 * crash before the report, gave its slot two working rows at the next load). Written with the
 * decision's other records. Cancels and expiries need none: the venue's report is saved as it arrives.
 */
export function endedOrderRecord(
  before: GridState,
  after: GridState,
  event: GridEvent,
  time: number,
): OrderRecord | undefined {
  const clientOrderId =
    event.type === 'OrderFilled'
      ? event.fill.clientOrderId
      : event.type === 'OrderRejected'
        ? event.clientOrderId
        : undefined;
  if (clientOrderId === undefined) return undefined;
  const intent = parseClientOrderId(clientOrderId, before.idFormat);
  const slot = intent?.purpose === 'grid' ? before.slots.get(intent.level) : undefined;
  if (
    slot?.order?.clientOrderId !== clientOrderId ||
    after.slots.get(slot.level)?.order?.clientOrderId === clientOrderId
  )
    return undefined;
  const record = toOrderRecord(before, slot)!;
  const updatedAt = Math.max(record.updatedAt, time);
  return event.type === 'OrderFilled'
    ? { ...record, status: 'FILLED', filledQuantity: record.quantity, updatedAt }
    : { ...record, status: 'REJECTED', updatedAt };
}

/** The row of a slot order the venue no longer knows, ended as EXPIRED (reconciliation/missing-order.ts). */
export function expiredOrderRecord(state: GridState, slot: Slot, time: number): OrderRecord {
  const record = toOrderRecord(state, slot)!;
  return { ...record, status: 'EXPIRED', updatedAt: Math.max(record.updatedAt, time) };
}
