/**
 * The chaos audit (Invariants 1–3): the venue's own record (every order it accepted, with times,
 * and every fill) held against the shared database once every instance has stopped.
 *  - no client order id accepted twice;
 *  - never two working orders in one grid slot;
 *  - no slot selling more than it bought (running sums over the venue's fills, in trade order);
 *  - every venue fill stored exactly once;
 *  - the database's position (stored fills and slots) equals the venue's, per symbol.
 * Each violation is one line of evidence naming the orders or fills and their times.
 */
import pg from 'pg';
import { type Decimal, ZERO, dec } from '../../src/domain/decimal.js';
import type { Fill } from '../../src/domain/fill.js';
import { parseClientOrderId } from '../../src/strategy/grid/client-order-id.js';
import type { Cluster } from '../app/cluster-fixture.js';
import { idsAcceptedTwice, isoTime, slotOverlaps } from '../app/venue-record.js';

export interface AuditReport {
  readonly duplicateIds: readonly string[];
  readonly overlaps: readonly string[];
  readonly slotImbalances: readonly string[];
  readonly fillMismatches: readonly string[];
  readonly positionMismatches: readonly string[];
  readonly acceptedOrders: number;
  readonly venueFills: number;
}

export function violationCount(report: AuditReport): number {
  return (
    report.duplicateIds.length +
    report.overlaps.length +
    report.slotImbalances.length +
    report.fillMismatches.length +
    report.positionMismatches.length
  );
}

export function evidenceLines(report: AuditReport): string[] {
  return [
    ...report.duplicateIds.map((line) => `duplicate id: ${line}`),
    ...report.overlaps.map((line) => `overlap: ${line}`),
    ...report.slotImbalances.map((line) => `slot imbalance: ${line}`),
    ...report.fillMismatches.map((line) => `fill mismatch: ${line}`),
    ...report.positionMismatches.map((line) => `position mismatch: ${line}`),
  ];
}

export async function auditCluster(cluster: Cluster, symbols: readonly string[]): Promise<AuditReport> {
  const { venue, account, record } = cluster;
  const venueFills = symbols.flatMap((symbol) =>
    venue.engine.fillsAfter(account.accountId, symbol, undefined, 10_000_000),
  );
  const stored = await readStored(cluster.database.url);
  const acceptedTime = new Map([...record.orders.values()].map((order) => [order.clientOrderId, order.acceptedTime]));
  const duplicateIds = idsAcceptedTwice(record).map(([id, count]) => {
    const times = [...record.orders.values()]
      .filter((order) => order.clientOrderId === id)
      .map((order) => isoTime(order.acceptedTime));
    return `${id} accepted ${count} times (${times.join(', ')})`;
  });
  return {
    duplicateIds,
    overlaps: slotOverlaps(record),
    slotImbalances: slotImbalances(venueFills, acceptedTime),
    fillMismatches: fillMismatches(venueFills, stored.fills),
    positionMismatches: symbols.flatMap((symbol) =>
      positionMismatch(
        symbol,
        venue.engine.positions(account.accountId, [symbol]).reduce((sum, position) => sum.add(position.quantity), ZERO),
        stored,
      ),
    ),
    acceptedOrders: record.acceptedIds.length,
    venueFills: venueFills.length,
  };
}

interface StoredFill {
  trade_id: string;
  symbol: string;
  side: string;
  quantity: string;
}
interface Stored {
  fills: StoredFill[];
  slots: { symbol: string; position_quantity: string }[];
}

async function readStored(url: string): Promise<Stored> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const fills = (await client.query<StoredFill>('select trade_id, symbol, side, quantity from fills')).rows;
    const slots = (
      await client.query<{ symbol: string; position_quantity: string }>('select symbol, position_quantity from slots')
    ).rows;
    return { fills, slots };
  } finally {
    await client.end();
  }
}

/** A slot's sells may never outrun its buys: checked after every fill of the slot, in venue trade order. */
function slotImbalances(fills: readonly Fill[], acceptedTime: ReadonlyMap<string, number>): string[] {
  const held = new Map<string, Decimal>();
  const found: string[] = [];
  const ordered = [...fills].sort((a, b) => a.time - b.time || Number(a.tradeId) - Number(b.tradeId));
  for (const fill of ordered) {
    const parsed = parseClientOrderId(fill.clientOrderId);
    if (parsed?.purpose !== 'grid') continue;
    const slot = `${fill.symbol}:${parsed.tag}:${parsed.level}`;
    const after = (held.get(slot) ?? ZERO)[fill.side === 'BUY' ? 'add' : 'sub'](fill.quantity);
    held.set(slot, after);
    if (after.isNegative()) {
      const accepted = acceptedTime.get(fill.clientOrderId);
      found.push(
        `${slot}: ${fill.clientOrderId} (accepted ${accepted === undefined ? '?' : isoTime(accepted)}) sold ${fill.quantity.toFixed()} at venue time ${isoTime(fill.time)} (trade ${fill.tradeId}), leaving the slot at ${after.toFixed()}`,
      );
    }
  }
  return found;
}

function fillMismatches(venueFills: readonly Fill[], stored: readonly StoredFill[]): string[] {
  const storedCount = new Map<string, number>();
  for (const fill of stored) storedCount.set(fill.trade_id, (storedCount.get(fill.trade_id) ?? 0) + 1);
  const venueIds = new Set(venueFills.map((fill) => fill.tradeId));
  const found: string[] = [];
  for (const fill of venueFills) {
    const count = storedCount.get(fill.tradeId) ?? 0;
    if (count !== 1)
      found.push(
        `venue trade ${fill.tradeId} (${fill.symbol} ${fill.side} ${fill.quantity.toFixed()} of ${fill.clientOrderId} at venue time ${isoTime(fill.time)}) stored ${count} times`,
      );
  }
  for (const [tradeId] of storedCount)
    if (!venueIds.has(tradeId)) found.push(`stored trade ${tradeId} is not a fill of the venue`);
  return found;
}

function positionMismatch(symbol: string, venuePosition: Decimal, stored: Stored): string[] {
  const fills = stored.fills
    .filter((fill) => fill.symbol === symbol)
    .reduce(
      (sum: Decimal, fill) => (fill.side === 'BUY' ? sum.add(dec(fill.quantity)) : sum.sub(dec(fill.quantity))),
      ZERO,
    );
  const slots = stored.slots
    .filter((slot) => slot.symbol === symbol)
    .reduce((sum: Decimal, slot) => sum.add(dec(slot.position_quantity)), ZERO);
  if (fills.eq(venuePosition) && slots.eq(venuePosition)) return [];
  return [`${symbol}: venue ${venuePosition.toFixed()}, stored fills ${fills.toFixed()}, slots ${slots.toFixed()}`];
}
