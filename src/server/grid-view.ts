/**
 * A symbol's grid as stored in the shared database (the same answer from every instance): anchor,
 * interval, and every lattice level with its slot (cycle, position) and working order.
 */
import { lattice, priceAt } from '../domain/lattice.js';
import { isWorking, type OrderStatus } from '../domain/order.js';
import type { DatabaseOperations } from '../storage/database.js';
import type { OrderRecord } from '../storage/records.js';

const WORKING: readonly OrderStatus[] = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];

export interface SlotView {
  readonly level: number;
  readonly price: string;
  readonly cycle: number;
  /** `FILLED` while the slot holds a position, `EMPTY` otherwise. */
  readonly state: 'EMPTY' | 'FILLED';
  readonly position: string;
  readonly entryPrice: string;
  readonly order?:
    | {
        readonly clientOrderId: string;
        readonly side: string;
        readonly price: string | undefined;
        readonly quantity: string;
        readonly filledQuantity: string;
        readonly status: string;
      }
    | undefined;
}

export interface GridView {
  readonly exchange: string;
  readonly symbol: string;
  readonly anchor: string;
  readonly interval: string;
  readonly paused: boolean;
  readonly pausedReason?: string | undefined;
  readonly updatedAt: number;
  readonly slots: readonly SlotView[];
}

export async function gridView(
  database: Pick<DatabaseOperations, 'getGrid' | 'getSlots' | 'getOrders'>,
  exchange: string,
  symbol: string,
): Promise<GridView | undefined> {
  const grid = await database.getGrid(exchange, symbol);
  if (grid === undefined) return undefined;
  const [slots, orders] = await Promise.all([
    database.getSlots(exchange, symbol),
    database.getOrders({ exchange, symbol, status: WORKING, limit: 1000 }),
  ]);
  const levels = lattice(grid.anchor, grid.interval);
  const orderAt = new Map<number, OrderRecord>(
    orders
      .filter((order) => order.level !== undefined && isWorking(order.status))
      .map((order) => [order.level!, order]),
  );
  const views = slots.map((slot): SlotView => {
    const order = orderAt.get(slot.level);
    const holding = slot.positionQuantity.isPositive() && !slot.positionQuantity.isZero();
    return {
      level: slot.level,
      price: priceAt(levels, slot.level).toFixed(),
      cycle: slot.cycle,
      state: holding ? 'FILLED' : 'EMPTY',
      position: slot.positionQuantity.toFixed(),
      entryPrice: slot.entryPrice.toFixed(),
      order:
        order === undefined
          ? undefined
          : {
              clientOrderId: order.clientOrderId,
              side: order.side,
              price: order.price?.toFixed(),
              quantity: order.quantity.toFixed(),
              filledQuantity: order.filledQuantity.toFixed(),
              status: order.status,
            },
    };
  });
  return {
    exchange,
    symbol,
    anchor: grid.anchor.toFixed(),
    interval: grid.interval.toFixed(),
    paused: grid.paused,
    pausedReason: grid.pausedReason,
    updatedAt: grid.updatedAt,
    slots: views.sort((a, b) => b.level - a.level),
  };
}
