import { dec, roundToStep } from '../../domain/decimal.js';
import type { Decimal } from '../../domain/decimal.js';
import { lattice } from '../../domain/lattice.js';
import { BINANCE_CLIENT_ORDER_ID_FORMAT, gridTag } from './client-order-id.js';
import { GridConfigurationError } from './errors.js';
import { type GridIdentity, type GridState, changeState } from './grid-state.js';
import { SlotMap } from './slot-map.js';

/**
 * A grid without a lattice yet: the first PriceUpdated anchors it. Throws GridConfigurationError
 * when the interval is not a whole number of ticks (its prices could not be sent to the venue).
 */
export function createGridState(identity: GridIdentity, time: number): GridState {
  const { market, settings } = identity;
  if (!market.tickSize.isZero() && !settings.priceInterval.mod(market.tickSize).isZero()) {
    throw new GridConfigurationError(
      'price_interval',
      `${settings.priceInterval.toFixed()} is not a multiple of the tick size ${market.tickSize.toFixed()}`,
    );
  }
  return Object.freeze({
    exchange: identity.exchange,
    symbol: identity.symbol,
    market,
    settings,
    idFormat: identity.idFormat ?? BINANCE_CLIENT_ORDER_ID_FORMAT,
    lattice: undefined,
    tag: undefined,
    slots: SlotMap.EMPTY,
    pause: undefined,
    panic: false,
    marginLockedUntil: 0,
    rateLimitedUntil: 0,
    placementsHeld: false,
    trailingPeak: undefined,
    accountCheck: 'unchecked',
    accountFacts: undefined,
    lastPrice: undefined,
    stopping: undefined,
    closing: undefined,
    closeSequence: 0,
    createdAt: time,
    updatedAt: time,
  });
}

/** Fixes the lattice at `anchor` (rounded to the tick); a grid that has one keeps it. */
export function anchorGrid(state: GridState, anchor: Decimal, time: number): GridState {
  if (state.lattice !== undefined) return state;
  const fixed = roundToStep(dec(anchor), state.market.tickSize);
  const grid = lattice(fixed, state.settings.priceInterval);
  return changeState(
    state,
    { lattice: grid, tag: gridTag(state.exchange, state.symbol, grid.anchor, grid.interval) },
    time,
  );
}
