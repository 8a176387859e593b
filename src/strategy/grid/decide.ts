/**
 * The grid as a pure state machine: `decide(state, event) → { state, commands }` (style rule 7).
 *
 * Each event is first applied on its own (a fill, a venue answer, a price, ...); then the grid
 * reacts to the market with the last known price (risk checks, cancels, placements), so a slot
 * freed by a fill gets its next order at once, and a closing grid sends its next close when due
 * (with or without a price). Last, a PersistState command names what changed.
 * No clock, randomness or I/O: the same events from the same state give the same states and
 * commands, which is what replaying an event log relies on.
 */
import { type Decimal, dec } from '../../domain/decimal.js';
import { applyFill } from './apply-fill.js';
import { changeSettings } from './change-settings.js';
import { continueClosing } from './close-position.js';
import { anchorGrid } from './create-grid-state.js';
import type { GridCommand } from './grid-command.js';
import type { GridEvent } from './grid-event.js';
import { checkAccount, checkPositionRisk } from './grid-risk.js';
import { type GridState, changeState } from './grid-state.js';
import { type GridWindows, gridWindows } from './grid-windows.js';
import {
  orderAccepted,
  orderEnded,
  orderOutcomeUnknown,
  orderRejected,
  orderReported,
  unknownOutcomeResolved,
} from './order-updates.js';
import { pauseGrid, resumeGrid } from './pause.js';
import { venuePositionReported } from './position-check.js';
import { quote } from './quote.js';
import { reconcile } from './reconcile.js';
import { stopGrid } from './stop-grid.js';
import { type Transition, andThen } from './transition.js';

function apply(state: GridState, event: GridEvent): Transition {
  switch (event.type) {
    case 'PriceUpdated': {
      // A price that is not positive is malformed: dropped, it must never anchor or size anything.
      if (!event.price.isPositive() || event.price.isZero()) return { state, commands: [] };
      const anchored = anchorGrid(state, event.price, event.time);
      return { state: changeState(anchored, { lastPrice: dec(event.price) }, event.time), commands: [] };
    }
    case 'OrderAccepted':
      return orderAccepted(state, event.clientOrderId, event.exchangeOrderId, event.time);
    case 'OrderRejected':
      return orderRejected(state, event.clientOrderId, event.reason, event.time, event.retryAt);
    case 'OrderFilled':
      return applyFill(state, event.fill);
    case 'OrderCanceled':
      return orderEnded(state, event.clientOrderId, 'Canceled', event.filledQuantity, event.time);
    case 'OrderExpired':
      return orderEnded(state, event.clientOrderId, 'Expired', event.filledQuantity, event.time);
    case 'OrderReported':
      return orderReported(state, event.order, event.time);
    case 'OpenOrdersReported':
      return reconcile(state, event.orders, event.time);
    case 'UnknownOutcomeResolved':
      return unknownOutcomeResolved(state, event.clientOrderId, event.order, event.time);
    case 'OrderOutcomeUnknown':
      return orderOutcomeUnknown(state, event.clientOrderId, event.time);
    case 'OperatorPaused':
      return pauseGrid(state, 'operator', event.message, event.time);
    case 'OperatorResumed':
      return resumeGrid(state, event.time);
    case 'StopRequested':
      return stopGrid(state, event.cancelOrders, event.closePositions, event.time);
    case 'MarketPanicChanged': {
      if (event.panic === state.panic) return { state, commands: [] };
      return {
        state: changeState(state, { panic: event.panic }, event.time),
        commands: [
          {
            type: 'RecordEvent',
            eventType: event.panic ? 'risk.triggered' : 'risk.recovered',
            details: { control: 'market-panic' },
          },
        ],
      };
    }
    case 'RateLimitWaitEnded':
      // Nothing to change: the reaction that follows places what the wait held back.
      return { state, commands: [] };
    case 'PlacementsHeldChanged':
      return event.held === state.placementsHeld
        ? { state, commands: [] }
        : { state: changeState(state, { placementsHeld: event.held }, event.time), commands: [] };
    case 'AccountChecked':
      return {
        state: changeState(
          state,
          { accountFacts: { availableBalance: event.availableBalance, leverage: event.leverage } },
          event.time,
        ),
        commands: [],
      };
    case 'SettingsChanged':
      return changeSettings(state, event.settings, event.time);
    case 'VenuePositionReported':
      return venuePositionReported(state, event.quantity, event.time);
  }
}

function react(state: GridState, time: number): Transition {
  const price = state.lastPrice;
  if (price === undefined || state.lattice === undefined) return { state, commands: [] };
  return andThen(
    andThen(checkPositionRisk(state, price, time), (s) => checkAccount(s, price, time)),
    (s) => quote(s, time),
  );
}

/** What must be saved: the grid record when its persisted fields changed, and every changed slot. */
function persistence(before: GridState, after: GridState): GridCommand | undefined {
  const grid = before.lattice !== after.lattice || before.pause !== after.pause;
  // Transitions share untouched slot maps and slots, so identity tells what changed.
  const levels = after.slots.changedSince(before.slots).sort((a, b) => a - b);
  return grid || levels.length > 0 ? { type: 'PersistState', grid, levels } : undefined;
}

/** Where a reaction that did nothing ran: the windows of its price, and whether buys were margin-locked. */
interface QuietReaction {
  readonly windows: GridWindows;
  readonly marginLocked: boolean;
}

/**
 * States whose reaction (risk checks, account check, quote, closing) did nothing. A memo, not
 * state: frozen states are keyed by identity, so a decision stays a function of its inputs.
 */
const quietReactions = new WeakMap<GridState, QuietReaction>();

function sameWindows(a: GridWindows, b: GridWindows): boolean {
  return a.buyTop === b.buyTop && a.nearest === b.nearest;
}

/**
 * A price after a quiet reaction: when it leaves the windows and the margin lock as they were, the
 * reaction would do nothing again, so it is not computed (most ticks of a backtest cross nothing).
 * What the reaction reads besides them does not depend on the price: the account check and the
 * pause, panic, stop and cancel paths are unchanged from the quiet state, and the quote's cleanup
 * and candidates depend on the windows, the slots and the margin lock only. The stop-loss and
 * take-profit checks do read the price: they still run. Undefined when the full decision must run.
 */
function quietPrice(state: GridState, event: Extract<GridEvent, { type: 'PriceUpdated' }>): Decision | undefined {
  const quiet = quietReactions.get(state);
  if (quiet === undefined || state.closing !== undefined || state.lattice === undefined) return undefined;
  if (!event.price.isPositive() || event.price.isZero()) return undefined;
  if (event.time < state.marginLockedUntil !== quiet.marginLocked) return undefined;
  const windows = gridWindows(state.lattice, state.settings, event.price);
  if (!sameWindows(windows, quiet.windows)) return undefined;
  const priced = changeState(state, { lastPrice: dec(event.price) }, event.time);
  const risk = checkPositionRisk(priced, priced.lastPrice as Decimal, event.time);
  if (risk.state !== priced || risk.commands.length > 0) return undefined;
  quietReactions.set(priced, quiet);
  return { state: priced, commands: [], foreign: [] };
}

export interface Decision extends Transition {
  readonly foreign: readonly string[];
}

/** Applies one event and returns the next state and the commands the engine must carry out, in order. */
export function decide(state: GridState, event: GridEvent): Decision {
  if (event.type === 'PriceUpdated') {
    const quiet = quietPrice(state, event);
    if (quiet !== undefined) return quiet;
  }
  const applied = apply(state, event);
  const foreign = applied.foreign ?? [];
  // An update that was entirely foreign changes nothing: no reaction, nothing to persist.
  if (foreign.length > 0 && applied.state === state && applied.commands.length === 0)
    return { state, commands: [], foreign };
  const result = andThen(
    andThen(applied, (s) => react(s, event.time)),
    (s) => continueClosing(s, event.time),
  );
  const persist = persistence(state, result.state);
  if (result.state === applied.state && result.commands.length === 0) rememberQuiet(result.state, event.time);
  return {
    state: result.state,
    commands: persist === undefined ? result.commands : [...result.commands, persist],
    foreign,
  };
}

function rememberQuiet(state: GridState, time: number): void {
  if (state.lattice === undefined || state.lastPrice === undefined) return;
  quietReactions.set(state, {
    windows: gridWindows(state.lattice, state.settings, state.lastPrice),
    marginLocked: time < state.marginLockedUntil,
  });
}

/** Replays events from a state: the same log always yields the same state and command list. */
export function replay(
  state: GridState,
  events: readonly GridEvent[],
): { readonly state: GridState; readonly commands: readonly GridCommand[] } {
  let current = state;
  const commands: GridCommand[] = [];
  for (const event of events) {
    const decision = decide(current, event);
    current = decision.state;
    commands.push(...decision.commands);
  }
  return { state: current, commands };
}
