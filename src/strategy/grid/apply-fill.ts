/**
 * Fills are facts (grid-strategy.md "Fills"): each one changes the position of the slot its client
 * order id names, whether or not the order is still in the slot (a fill can arrive after a cancel).
 * The engine feeds each venue fill exactly once (the Database stores fills once per trade id).
 *
 * A buy fill adds to the position at the real average price; a sell fill reduces it and books a
 * Trade with the entry fees pro rata plus the sell fee, PnL net of fees. When the position reaches
 * zero the slot is EMPTY and its cycle advances, so the next buy gets a new client order id.
 */
import { type Decimal, ZERO, minDecimal } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Trade } from '../../domain/trade.js';
import { parseClientOrderId } from './client-order-id.js';
import { closeFilled } from './close-position.js';
import type { GridCommand } from './grid-command.js';
import { type GridState, type Slot, changeSlot, filledSlots, slotAt, withSlots } from './grid-state.js';
import { settleSlot, updateSlotOrder } from './slot-order-status.js';
import type { Transition } from './transition.js';

/** The fee in quote currency; a fee in a third asset (e.g. BNB) cannot be priced here and counts as 0. */
function feeInQuote(state: GridState, fill: Fill): Decimal {
  if (fill.feeAsset === state.market.quote) return fill.fee;
  if (fill.feeAsset === state.market.base) return fill.fee.mul(fill.price);
  return ZERO;
}

function addBuy(state: GridState, slot: Slot, fill: Fill): Slot {
  // A fee taken in the base asset (spot) shrinks what the slot actually holds.
  const received = fill.feeAsset === state.market.base ? fill.quantity.sub(fill.fee) : fill.quantity;
  const quantity = slot.positionQuantity.add(received);
  if (!quantity.isPositive() || quantity.isZero()) return slot;
  // The first fill of a position is its entry price: the average of one fill needs no division.
  const entryPrice = slot.positionQuantity.isZero()
    ? fill.price
    : slot.positionQuantity.mul(slot.entryPrice).add(received.mul(fill.price)).div(quantity);
  return changeSlot(
    slot,
    {
      positionQuantity: quantity,
      entryPrice,
      entryFees: slot.entryFees.add(feeInQuote(state, fill)),
      openedAt: slot.position === 'EMPTY' ? fill.time : slot.openedAt,
    },
    fill.time,
  );
}

interface Reduction {
  readonly slot: Slot;
  readonly trade: Trade | undefined;
  readonly sold: Decimal;
}

function reduce(
  state: GridState,
  slot: Slot,
  fill: Fill,
  quantity: Decimal,
  sellFee: Decimal,
  tradeId: string,
): Reduction {
  const sold = minDecimal(quantity, slot.positionQuantity);
  if (sold.isZero()) return { slot, trade: undefined, sold };
  // Selling all of it carries all of its entry fees (no division for the usual whole-slot sell).
  const entryFees = sold.eq(slot.positionQuantity)
    ? slot.entryFees
    : slot.entryFees.mul(sold).div(slot.positionQuantity);
  const fees = entryFees.add(sellFee);
  const trade: Trade = Object.freeze({
    id: tradeId,
    exchange: state.exchange,
    symbol: state.symbol,
    level: slot.level,
    cycle: slot.cycle,
    quantity: sold,
    buyPrice: slot.entryPrice,
    sellPrice: fill.price,
    fees,
    realizedPnl: fill.price.sub(slot.entryPrice).mul(sold).sub(fees),
    openedAt: slot.openedAt,
    closedAt: fill.time,
  });
  const remaining = slot.positionQuantity.sub(sold);
  const next = remaining.isZero()
    ? changeSlot(
        slot,
        {
          positionQuantity: ZERO,
          entryPrice: ZERO,
          entryFees: ZERO,
          openedAt: 0,
          cycle: slot.cycle + 1,
          postOnlyRejections: 0,
        },
        fill.time,
      )
    : changeSlot(slot, { positionQuantity: remaining, entryFees: slot.entryFees.sub(entryFees) }, fill.time);
  return { slot: next, trade, sold };
}

function driftEvent(fill: Fill, unmatched: Decimal): GridCommand {
  return {
    type: 'RecordEvent',
    eventType: 'reconciliation',
    details: {
      problem: 'sell fill larger than the grid position',
      clientOrderId: fill.clientOrderId,
      tradeId: fill.tradeId,
      unmatched: unmatched.toFixed(),
    },
  };
}

function fillId(fill: Fill): string {
  return `${fill.exchange}:${fill.account}:${fill.symbol}:${fill.tradeId}`;
}

/**
 * A close-position fill reduces every FILLED slot, lowest level first, booking one trade per slot,
 * and counts towards the outstanding close (a fill of an earlier close is a fact all the same).
 */
function applyCloseFill(state: GridState, fill: Fill): Transition {
  let left = fill.quantity;
  const slots: Slot[] = [];
  const commands: GridCommand[] = [];
  const fee = feeInQuote(state, fill);
  for (const slot of filledSlots(state)) {
    if (left.isZero()) break;
    const share = minDecimal(left, slot.positionQuantity);
    const result = reduce(state, slot, fill, share, fee.mul(share).div(fill.quantity), `${fillId(fill)}:${slot.level}`);
    left = left.sub(result.sold);
    slots.push(result.slot);
    if (result.trade !== undefined) commands.push({ type: 'BookTrade', trade: result.trade });
  }
  if (left.isPositive() && !left.isZero()) commands.push(driftEvent(fill, left));
  const counted = closeFilled(withSlots(state, slots, fill.time), fill.clientOrderId, fill.quantity, fill.time);
  return { state: counted.state, commands: [...commands, ...counted.commands] };
}

export function applyFill(state: GridState, fill: Fill): Transition {
  const parsed = parseClientOrderId(fill.clientOrderId, state.idFormat);
  if (parsed === undefined || parsed.tag !== state.tag || fill.symbol !== state.symbol)
    return { state, commands: [], foreign: [fill.clientOrderId] };
  // A fill without a positive quantity or price is malformed: dropped.
  if (!fill.quantity.isPositive() || fill.quantity.isZero() || !fill.price.isPositive() || fill.price.isZero())
    return { state, commands: [] };
  if (parsed.purpose === 'close') return applyCloseFill(state, fill);
  const commands: GridCommand[] = [];
  let slot = slotAt(state, parsed.level);
  if (parsed.side === 'BUY') {
    slot = addBuy(state, slot, fill);
  } else {
    const result = reduce(state, slot, fill, fill.quantity, feeInQuote(state, fill), fillId(fill));
    slot = result.slot;
    if (result.trade !== undefined) commands.push({ type: 'BookTrade', trade: result.trade });
    if (result.sold.lt(fill.quantity)) commands.push(driftEvent(fill, fill.quantity.sub(result.sold)));
  }
  const order = slot.order;
  if (order !== undefined && order.clientOrderId === fill.clientOrderId) {
    const filledQuantity = order.filledQuantity.add(fill.quantity);
    slot = updateSlotOrder(
      slot,
      filledQuantity.gte(order.quantity) ? 'Filled' : 'PartiallyFilled',
      { filledQuantity },
      fill.time,
    );
  } else {
    slot = settleSlot(slot, fill.time);
  }
  return { state: withSlots(state, [slot], fill.time), commands };
}
