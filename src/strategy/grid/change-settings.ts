/**
 * SettingsChanged (R7): a running grid takes new settings without a restart. Everything but
 * `price_interval` may change: the interval and the anchor fix the lattice, and with it every slot
 * and every client order id already sent, so changing them needs the grid closed and restarted.
 *
 * Nothing is placed or cancelled here: the reaction that follows every event (decide.ts) applies
 * the new windows, sizes and risk limits exactly as it does after a price, so a wider buy window
 * places its extra buys at once and new buys are sized with the new order quantity. Orders already
 * working keep their size; orders a narrower window no longer wants are left to the order budget's
 * cleanup, like orders the price moved away from.
 */
import { GridConfigurationError } from './errors.js';
import type { GridSettings } from './grid-settings.js';
import { type GridState, changeState } from './grid-state.js';
import type { Transition } from './transition.js';

export function changeSettings(state: GridState, settings: GridSettings, time: number): Transition {
  if (!settings.priceInterval.eq(state.settings.priceInterval)) {
    throw new GridConfigurationError(
      'price_interval',
      `cannot change on a running grid (${state.settings.priceInterval.toFixed()} → ${settings.priceInterval.toFixed()}): it fixes the lattice; close the grid and restart to change it`,
    );
  }
  return { state: changeState(state, { settings }, time), commands: [] };
}
