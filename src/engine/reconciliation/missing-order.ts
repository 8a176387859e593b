/**
 * The venue answered definitively that it does not hold a client order id. An order it never
 * acknowledged (PENDING_NEW) never took effect: the grid frees the slot under the same cycle. An
 * order it acknowledged and no longer knows (lost in a venue crash, archived) can neither rest nor
 * fill there: it is ended once, as EXPIRED with the fills applied so far, stored so and recorded
 * once (`order.unknown`), so nothing asks about it again; a fill of it found later is still applied.
 */
import type { EventRecord, OrderRecord } from '../../storage/records.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import { type GridState, slotsWithOrders } from '../../strategy/grid/grid-state.js';
import { expiredOrderRecord } from '../persistence/order-records.js';

export interface MissingOrderResolution {
  readonly event: GridEvent;
  readonly orders?: readonly OrderRecord[];
  readonly events?: readonly EventRecord[];
}

export function missingOrderResolution(
  grid: GridState | undefined,
  clientOrderId: string,
  time: number,
  base: Omit<EventRecord, 'type' | 'details'>,
): MissingOrderResolution {
  const slot =
    grid === undefined ? undefined : slotsWithOrders(grid).find((held) => held.order!.clientOrderId === clientOrderId);
  if (grid === undefined || slot === undefined || slot.order!.status === 'PENDING_NEW')
    return { event: { type: 'UnknownOutcomeResolved', time, clientOrderId, order: undefined } };
  const order = slot.order!;
  return {
    event: { type: 'OrderExpired', time, clientOrderId, filledQuantity: order.filledQuantity },
    orders: [expiredOrderRecord(grid, slot, time)],
    events: [
      {
        ...base,
        type: 'order.unknown',
        details: { clientOrderId, status: order.status, level: slot.level, resolvedAs: 'EXPIRED' },
      },
    ],
  };
}
