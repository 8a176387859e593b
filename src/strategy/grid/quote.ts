/**
 * The grid's reaction to the market, run after every event once a price is known: cancel what
 * must go (every order while closing, buys under panic or pause, the order budget's cleanup), then
 * place buys and sells.
 *
 * Invariant (Invariant 1): an order is placed only for a slot without any order, and the slot holds
 * it as PENDING_NEW from the moment the PlaceOrder command is emitted.
 */
import { type Decimal, ZERO, floorToStep } from '../../domain/decimal.js';
import type { OrderSide } from '../../domain/order.js';
import { priceAt } from '../../domain/lattice.js';
import { cancelOrders, cancellableSlots } from './cancel-orders.js';
import { gridClientOrderId } from './client-order-id.js';
import type { GridCommand } from './grid-command.js';
import { type GridState, POST_ONLY_REJECTION_LIMIT, type Slot, changeSlot, slotAt, withSlots } from './grid-state.js';
import { type GridWindows, gridWindows, inBuyWindow, inSellWindow } from './grid-windows.js';
import { pauseGrid } from './pause.js';
import { type Transition, andThen } from './transition.js';

interface Candidate {
  readonly slot: Slot;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
}

function orderPrice(state: GridState, slot: Slot, side: OrderSide): Decimal {
  const price = priceAt(state.lattice!, slot.level);
  return side === 'BUY' ? price : price.add(state.lattice!.interval);
}

function isWanted(state: GridState, windows: GridWindows, slot: Slot): boolean {
  return slot.order!.side === 'BUY' ? inBuyWindow(windows, slot.level) : inSellWindow(windows, slot.level);
}

/**
 * Budget cleanup: at the threshold, cancel the farthest orders outside the windows, one batch at a
 * time. Orders already being cancelled do not count, so one batch is not followed by another while
 * the first is in flight (they still count against new placements until the venue confirms).
 */
function cleanup(state: GridState, windows: GridWindows, price: Decimal, time: number): Transition {
  const staying = state.slots.workingOrderCount - state.slots.cancellingOrderCount;
  if (staying < state.settings.orderCleanupThreshold) return { state, commands: [] };
  const distance = (slot: Slot): Decimal => slot.order!.price.sub(price).abs();
  const stale = cancellableSlots(state, (slot) => !isWanted(state, windows, slot))
    .sort((a, b) => distance(b).cmp(distance(a)) || a.level - b.level)
    .slice(0, state.settings.cleanupBatchSize);
  return cancelOrders(state, stale, 'budget', time);
}

/** Buy size for a slot price, or the configuration problem that makes it unusable. */
function buyQuantity(state: GridState, price: Decimal): Decimal | string {
  const { market, settings } = state;
  const quantity = floorToStep(settings.orderQuantity.div(price), market.stepSize);
  const notional = quantity.mul(price);
  if (quantity.isZero())
    return `order_quantity ${settings.orderQuantity.toFixed()} buys less than one step (${market.stepSize.toFixed()}) at ${price.toFixed()}`;
  if (quantity.lt(market.minQuantity))
    return `buy size ${quantity.toFixed()} at ${price.toFixed()} is under the venue's minimum quantity ${market.minQuantity.toFixed()}`;
  if (notional.lt(market.minNotional))
    return `buy value ${notional.toFixed()} at ${price.toFixed()} is under the venue's minimum notional ${market.minNotional.toFixed()}`;
  if (notional.lt(settings.minOrderValue))
    return `buy value ${notional.toFixed()} at ${price.toFixed()} is under min_order_value ${settings.minOrderValue.toFixed()}`;
  return quantity;
}

function buysAllowed(state: GridState, time: number): number {
  if (state.panic || time < state.marginLockedUntil) return 0;
  const risk = state.settings.risk;
  if (!risk.enabled || risk.maxGridLayers === 0) return Number.MAX_SAFE_INTEGER;
  // Layers held or being bought: a working buy counts, so the cap cannot be overshot by fills.
  let layers = state.slots.heldWithoutOrderCount;
  for (const slot of state.slots.withOrders())
    if (slot.position === 'FILLED' || slot.order!.side === 'BUY') layers += 1;
  return Math.max(0, risk.maxGridLayers - layers);
}

/**
 * Slots in the sell window holding a position and no order: found among the slots held without an
 * order when there are fewer of them than levels in the window (the usual case), else level by level.
 */
function sellable(state: GridState, windows: GridWindows): Slot[] {
  const found: Slot[] = [];
  const { nearest, sellWindowSize } = windows;
  if (state.slots.heldWithoutOrderCount <= 2 * sellWindowSize + 1) {
    for (const slot of state.slots.heldWithoutOrder())
      if (slot.position === 'FILLED' && inSellWindow(windows, slot.level)) found.push(slot);
    return found;
  }
  for (let level = nearest - sellWindowSize; level <= nearest + sellWindowSize; level++) {
    const slot = state.slots.get(level);
    if (slot !== undefined && slot.position === 'FILLED' && slot.order === undefined) found.push(slot);
  }
  return found;
}

interface BuyAtLevel {
  readonly price: Decimal;
  /** The buy size, or the configuration problem that makes the level unusable. */
  readonly quantity: Decimal | string;
}

interface BuyMemo {
  readonly settings: GridState['settings'];
  readonly market: GridState['market'];
  readonly byLevel: Map<number, BuyAtLevel>;
}

/**
 * Buy price and size by level: a function of the lattice, the settings and the market only, and
 * each placement would otherwise redo its divisions. A memo, not state (all three are immutable);
 * it holds the levels the grid has bought at, as the slot map does.
 */
const buyMemos = new WeakMap<NonNullable<GridState['lattice']>, BuyMemo>();

function buyAt(state: GridState, slot: Slot): BuyAtLevel {
  const lattice = state.lattice!;
  let memo = buyMemos.get(lattice);
  if (memo === undefined || memo.settings !== state.settings || memo.market !== state.market) {
    memo = { settings: state.settings, market: state.market, byLevel: new Map() };
    buyMemos.set(lattice, memo);
  }
  let buy = memo.byLevel.get(slot.level);
  if (buy === undefined) {
    const price = orderPrice(state, slot, 'BUY');
    // Far under the anchor the lattice reaches zero: there is nothing to buy there (no size either).
    buy = { price, quantity: !price.isPositive() || price.isZero() ? ZERO : buyQuantity(state, price) };
    memo.byLevel.set(slot.level, buy);
  }
  return buy;
}

function candidates(state: GridState, windows: GridWindows, time: number): Candidate[] | string {
  const found: Candidate[] = [];
  let buys = buysAllowed(state, time);
  for (let level = windows.buyTop; level >= windows.buyBottom && buys > 0; level--) {
    const slot = slotAt(state, level);
    if (slot.position !== 'EMPTY' || slot.order !== undefined) continue;
    const { price, quantity } = buyAt(state, slot);
    // Far under the anchor the lattice reaches zero: there is nothing to buy there.
    if (!price.isPositive() || price.isZero()) break;
    if (typeof quantity === 'string') return quantity;
    found.push({ slot, side: 'BUY', price, quantity });
    buys--;
  }
  for (const slot of sellable(state, windows)) {
    const price = orderPrice(state, slot, 'SELL');
    const quantity = floorToStep(slot.positionQuantity, state.market.stepSize);
    // Dust under the venue's minimums cannot be sold on its own; it stays with the slot.
    if (quantity.isZero() || quantity.lt(state.market.minQuantity) || quantity.mul(price).lt(state.market.minNotional))
      continue;
    found.push({ slot, side: 'SELL', price, quantity });
  }
  return found;
}

function place(state: GridState, windows: GridWindows, lastPrice: Decimal, time: number): Transition {
  const found = candidates(state, windows, time);
  if (typeof found === 'string') return pauseGrid(state, 'configuration', found, time);
  if (found.length === 0) return { state, commands: [] };
  const room = Math.max(0, state.settings.orderCleanupThreshold - state.slots.workingOrderCount);
  const distance = (c: Candidate): Decimal => c.price.sub(lastPrice).abs();
  const chosen = found.sort((a, b) => distance(a).cmp(distance(b)) || a.slot.level - b.slot.level).slice(0, room);
  const commands: GridCommand[] = [];
  const slots = chosen.map(({ slot, side, price, quantity }) => {
    const clientOrderId = gridClientOrderId(state.tag!, slot.level, side, slot.cycle, state.idFormat);
    const postOnly = slot.postOnlyRejections < POST_ONLY_REJECTION_LIMIT;
    const reduceOnly = side === 'SELL' && state.market.type === 'future';
    commands.push({
      type: 'PlaceOrder',
      level: slot.level,
      cycle: slot.cycle,
      side,
      price,
      quantity,
      postOnly,
      reduceOnly,
      clientOrderId,
    });
    return changeSlot(
      slot,
      {
        order: Object.freeze({
          clientOrderId,
          exchangeOrderId: undefined,
          side,
          price,
          quantity,
          filledQuantity: ZERO,
          venueFilledQuantity: undefined,
          status: 'PENDING_NEW' as const,
          postOnly,
          reduceOnly,
          createdAt: time,
          updatedAt: time,
        }),
      },
      time,
    );
  });
  return { state: withSlots(state, slots, time), commands };
}

export function quote(state: GridState, time: number): Transition {
  const price = state.lastPrice;
  if (state.lattice === undefined || price === undefined) return { state, commands: [] };
  const windows = gridWindows(state.lattice, state.settings, price);
  let result: Transition = { state, commands: [] };
  if (state.stopping !== undefined) {
    // Orders still PENDING_NEW are cancelled once the venue has acknowledged them (a later step).
    return state.stopping.cancelOrders ? cancelOrders(state, cancellableSlots(state), 'stop', time) : result;
  }
  if (state.closing !== undefined) {
    // A closing grid sells its whole position at market: a resting sell would sell it a second time.
    result = cancelOrders(state, cancellableSlots(state), 'risk-close', time);
  } else if (state.pause !== undefined || state.panic) {
    result = cancelOrders(
      state,
      cancellableSlots(state, (slot) => slot.order!.side === 'BUY'),
      state.panic ? 'panic' : 'pause',
      time,
    );
  }
  result = andThen(result, (s) => cleanup(s, windows, price, time));
  if (
    result.state.pause !== undefined ||
    result.state.accountCheck !== 'passed' ||
    result.state.placementsHeld ||
    time < result.state.rateLimitedUntil
  )
    return result;
  return andThen(result, (s) => place(s, windows, price, time));
}
