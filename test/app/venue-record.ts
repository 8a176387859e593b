/**
 * The sim venue's own record of one account's orders, held against Invariant 1 by the app tests:
 * every order the venue accepted (first report) and when it closed, on one event counter (which
 * orders them exactly) and in wall time (for evidence an operator can line up with logs).
 */
import type { SimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { parseClientOrderId } from '../../src/strategy/grid/client-order-id.js';

const TERMINAL = new Set(['FILLED', 'CANCELED', 'EXPIRED', 'REJECTED']);

/** One order as the venue saw it: accepted and (if so) closed, on the record's event counter. */
export interface VenueOrder {
  readonly clientOrderId: string;
  readonly exchangeOrderId: string;
  readonly acceptedAt: number;
  closedAt: number | undefined;
  /** Wall time (epoch ms) of the acceptance and of the close. */
  readonly acceptedTime: number;
  closedTime: number | undefined;
  /** How it closed (FILLED, CANCELED, EXPIRED, REJECTED). */
  closedAs: string | undefined;
}

export interface VenueRecord {
  /** By exchange order id. */
  readonly orders: ReadonlyMap<string, VenueOrder>;
  /** Client order ids in acceptance order, one entry per accepted order. */
  readonly acceptedIds: readonly string[];
}

export function recordVenueOrders(server: SimVenueServer, accountId: string): VenueRecord {
  let counter = 0;
  const orders = new Map<string, VenueOrder>();
  const acceptedIds: string[] = [];
  server.engine.subscribe({
    onExecution(account, report) {
      if (account !== accountId) return;
      counter += 1;
      let order = orders.get(report.exchangeOrderId);
      if (order === undefined) {
        order = {
          clientOrderId: report.clientOrderId,
          exchangeOrderId: report.exchangeOrderId,
          acceptedAt: counter,
          closedAt: undefined,
          acceptedTime: Date.now(),
          closedTime: undefined,
          closedAs: undefined,
        };
        orders.set(report.exchangeOrderId, order);
        acceptedIds.push(report.clientOrderId);
      }
      if (TERMINAL.has(report.status) && order.closedAt === undefined) {
        order.closedAt = counter;
        order.closedTime = Date.now();
        order.closedAs = report.status;
      }
    },
  });
  return { orders, acceptedIds };
}

/** Client order ids the venue accepted more than once, with their counts (expected: none). */
export function idsAcceptedTwice(record: VenueRecord): [string, number][] {
  const seen = new Map<string, number>();
  for (const id of record.acceptedIds) seen.set(id, (seen.get(id) ?? 0) + 1);
  return [...seen].filter(([, count]) => count > 1);
}

/** Every moment a grid slot had two working orders at the venue (expected: none). */
export function slotOverlaps(record: VenueRecord): string[] {
  const bySlot = new Map<string, VenueOrder[]>();
  for (const order of record.orders.values()) {
    const parsed = parseClientOrderId(order.clientOrderId);
    if (parsed?.purpose !== 'grid') continue;
    const key = `${parsed.tag}:${parsed.level}`;
    bySlot.set(key, [...(bySlot.get(key) ?? []), order]);
  }
  const overlaps: string[] = [];
  for (const [slot, list] of bySlot) {
    const sorted = [...list].sort((a, b) => a.acceptedAt - b.acceptedAt);
    for (let index = 1; index < sorted.length; index += 1) {
      const previous = sorted[index - 1]!;
      const next = sorted[index]!;
      if (previous.closedAt === undefined || previous.closedAt > next.acceptedAt) {
        overlaps.push(
          `${slot}: ${previous.clientOrderId} (accepted ${isoTime(previous.acceptedTime)}, closed ${previous.closedTime === undefined ? 'never' : isoTime(previous.closedTime)}) still working when ${next.clientOrderId} was accepted ${isoTime(next.acceptedTime)}`,
        );
      }
    }
  }
  return overlaps;
}

export function isoTime(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
