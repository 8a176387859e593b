/**
 * Invariant 3 at the venue's side: its position of the symbol, and what an operator resume of a
 * position drift records (the grid's side is strategy/grid/position-check.ts).
 */
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Exchange } from '../../exchange/exchange.js';
import type { EventRecord } from '../../storage/records.js';
import type { GridState } from '../../strategy/grid/grid-state.js';
import { gridPosition } from '../../strategy/grid/position-check.js';

/** The venue's signed position of the symbol, or undefined on a venue without positions (spot). */
export async function venuePosition(exchange: Exchange, symbol: string): Promise<Decimal | undefined> {
  if (!exchange.capabilities.positions) return undefined;
  const positions = await exchange.positions([symbol]);
  return positions
    .filter((position) => position.symbol === symbol)
    .reduce((sum, position) => sum.add(position.quantity), ZERO);
}

/**
 * An operator resume of a grid paused for a position drift accepts the difference last read: the
 * adjustment later checks subtract from the venue's position, and its event. Undefined when the grid
 * is not paused for a drift (or no conclusive reading exists).
 */
export function driftAdjustment(
  grid: GridState | undefined,
  lastVenuePosition: Decimal | undefined,
  base: Omit<EventRecord, 'type' | 'details'>,
): { readonly adjustment: Decimal; readonly event: EventRecord } | undefined {
  if (grid?.pause?.reason !== 'position-drift' || lastVenuePosition === undefined) return undefined;
  const adjustment = lastVenuePosition.sub(gridPosition(grid));
  return {
    adjustment,
    event: {
      ...base,
      type: 'reconciliation',
      details: {
        problem: 'position-drift',
        resolution: 'operator-adjustment',
        adjustment: adjustment.toFixed(),
        venuePosition: lastVenuePosition.toFixed(),
      },
    },
  };
}
