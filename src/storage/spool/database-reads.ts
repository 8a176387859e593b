/**
 * Reads of the spool's decorators go to the database itself: a spooled write becomes visible to
 * reads once it is written (`SpooledDatabase.drain()` waits for that; `capabilities.readsOwnWrites`
 * is false).
 */
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import type { DatabaseOperations } from '../database.js';
import type {
  EventFilter,
  EventRecord,
  FillCursorRecord,
  FillFilter,
  GridRecord,
  IntentFilter,
  OrderFilter,
  OrderIntent,
  OrderRecord,
  OrderStateChange,
  SlotRecord,
  Statistics,
  StatisticsFilter,
  TradeFilter,
} from '../records.js';

export abstract class DatabaseReads {
  protected constructor(protected readonly reads: DatabaseOperations) {}

  getTrades(filter: TradeFilter): Promise<Trade[]> {
    return this.reads.getTrades(filter);
  }
  getOrders(filter: OrderFilter): Promise<OrderRecord[]> {
    return this.reads.getOrders(filter);
  }
  getOrderHistory(exchange: string, clientOrderId: string): Promise<OrderStateChange[]> {
    return this.reads.getOrderHistory(exchange, clientOrderId);
  }
  getFills(filter: FillFilter): Promise<Fill[]> {
    return this.reads.getFills(filter);
  }
  getStatistics(filter: StatisticsFilter): Promise<Statistics> {
    return this.reads.getStatistics(filter);
  }
  getGrid(exchange: string, symbol: string): Promise<GridRecord | undefined> {
    return this.reads.getGrid(exchange, symbol);
  }
  getSlots(exchange: string, symbol: string): Promise<SlotRecord[]> {
    return this.reads.getSlots(exchange, symbol);
  }
  getIntents(filter: IntentFilter): Promise<OrderIntent[]> {
    return this.reads.getIntents(filter);
  }
  getHighestIntentCycles(exchange: string, symbol: string): Promise<ReadonlyMap<number, number>> {
    return this.reads.getHighestIntentCycles(exchange, symbol);
  }
  getFillCursor(exchange: string, account: string, symbol: string): Promise<FillCursorRecord | undefined> {
    return this.reads.getFillCursor(exchange, account, symbol);
  }
  getEvents(filter: EventFilter): Promise<EventRecord[]> {
    return this.reads.getEvents(filter);
  }
}
