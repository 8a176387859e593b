/** close-position.ts: a risk close is retried until the grid is flat, one close at a time, never blindly. */
import { describe, expect, it } from 'vitest';
import { type Decimal, ZERO, dec } from '../../../src/domain/decimal.js';
import { parseClientOrderId } from '../../../src/strategy/grid/client-order-id.js';
import { CLOSE_RETRY_BASE_MS, closableQuantity } from '../../../src/strategy/grid/close-position.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { GridEvent } from '../../../src/strategy/grid/grid-event.js';
import { fromRecords, toGridRecord, toSlotRecord } from '../../../src/strategy/grid/grid-records.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import {
  accepted,
  cancels,
  fill,
  filled,
  orderId,
  places,
  price,
  run,
  startedGrid,
  trades,
  venueOrder,
} from './grid-fixture.js';
import { mulberry32 } from './venue-simulation.js';

const RISK = { enabled: true, stopLossRatio: '0.05' };

/** A grid with level -1 bought at 990 (0.03), every order acknowledged. */
function holding(): GridState {
  const { state } = startedGrid({ risk: RISK });
  const bought = decide(state, filled(fill(orderId(state, -1), 'BUY', '990', '0.03', 3)));
  let current = bought.state;
  for (const slot of current.slots.values()) current = decide(current, accepted(current, slot.level, 4)).state;
  return current;
}

type Close = Extract<GridCommand, { type: 'ClosePosition' }>;

function closes(commands: readonly GridCommand[]): Close[] {
  return commands.filter((c): c is Close => c.type === 'ClosePosition');
}

function lookups(commands: readonly GridCommand[]): string[] {
  return commands.flatMap((c) => (c.type === 'LookupOrder' ? [c.clientOrderId] : []));
}

/** The stop loss at 940 (time 10): the grid's first close. */
function stopped(): { state: GridState; close: Close } {
  const stop = decide(holding(), price(10, '940'));
  const [close] = closes(stop.commands);
  expect(close).toBeDefined();
  return { state: stop.state, close: close! };
}

function closeFill(id: string, quantity: string, time: number): GridEvent {
  return filled(fill(id, 'SELL', '939', quantity, time));
}

function reported(
  id: string,
  quantity: string,
  filledQuantity: string,
  status: 'FILLED' | 'EXPIRED' | 'NEW',
  time: number,
): GridEvent {
  return {
    type: 'OrderReported',
    time,
    order: {
      ...venueOrder(id, 'SELL', '0', quantity, filledQuantity, status),
      type: 'MARKET',
      price: undefined,
      postOnly: false,
    },
  };
}

describe('close attempts that closed nothing', () => {
  it('a rejected close is retried after the backoff with a new id, and the backoff doubles', () => {
    const { state, close } = stopped();
    const rejected = decide(state, {
      type: 'OrderRejected',
      time: 12,
      clientOrderId: close.clientOrderId,
      reason: 'other',
    });
    expect(closes(rejected.commands)).toEqual([]);
    expect(rejected.commands).toContainEqual(
      expect.objectContaining({
        type: 'RecordEvent',
        eventType: 'risk.triggered',
        details: expect.objectContaining({ control: 'close-retry' }),
      }),
    );
    expect(closes(decide(rejected.state, price(12 + CLOSE_RETRY_BASE_MS - 1, '941')).commands)).toEqual([]);
    const retried = decide(rejected.state, price(12 + CLOSE_RETRY_BASE_MS, '941'));
    const [second] = closes(retried.commands);
    expect(second!.clientOrderId).not.toBe(close.clientOrderId);
    expect(second!.quantity.toFixed()).toBe('0.03');
    const again = decide(retried.state, {
      type: 'OrderRejected',
      time: 1100,
      clientOrderId: second!.clientOrderId,
      reason: 'other',
    });
    expect(again.state.closing).toMatchObject({ failures: 2, nextAttemptAt: 1100 + 2 * CLOSE_RETRY_BASE_MS });
  });

  it('a close that never reached the venue (failed, not sent) is retried after the backoff with a new id', () => {
    const { state, close } = stopped();
    const failed = decide(state, {
      type: 'UnknownOutcomeResolved',
      time: 12,
      clientOrderId: close.clientOrderId,
      order: undefined,
    });
    expect(closes(failed.commands)).toEqual([]);
    const [retry] = closes(decide(failed.state, price(12 + CLOSE_RETRY_BASE_MS, '941')).commands);
    expect(retry!.clientOrderId).not.toBe(close.clientOrderId);
    expect(parseClientOrderId(retry!.clientOrderId)).toMatchObject({ purpose: 'close', sequence: 1 });
  });

  it('a duplicate-id rejection means the close reached the venue: it is looked up, not replaced', () => {
    const { state, close } = stopped();
    const duplicate = decide(state, {
      type: 'OrderRejected',
      time: 12,
      clientOrderId: close.clientOrderId,
      reason: 'duplicate-client-id',
    });
    expect(lookups(duplicate.commands)).toEqual([close.clientOrderId]);
    expect(closes(decide(duplicate.state, price(60_000, '941')).commands)).toEqual([]);
  });
});

describe('a close whose outcome is unknown', () => {
  it('sends no second close until a lookup resolves it; found filled → flat, nothing more', () => {
    const { state, close } = stopped();
    const unknown = decide(state, { type: 'OrderOutcomeUnknown', time: 12, clientOrderId: close.clientOrderId });
    const later = run(unknown.state, [
      price(500, '941'),
      price(12 + CLOSE_RETRY_BASE_MS, '942'),
      price(100_000, '943'),
    ]);
    expect(closes(later.commands)).toEqual([]);
    expect(lookups(later.commands)).toEqual([close.clientOrderId, close.clientOrderId]);
    const found = run(later.state, [
      reported(close.clientOrderId, '0.03', '0.03', 'FILLED', 100_001),
      closeFill(close.clientOrderId, '0.03', 100_001),
      price(200_000, '944'),
    ]);
    expect(closes(found.commands)).toEqual([]);
    expect(trades(found.commands)).toHaveLength(1);
    expect(closableQuantity(found.state).isZero()).toBe(true);
    expect(found.state.closing?.order).toBeUndefined();
  });

  it('looked up and not at the venue: a new close after the backoff', () => {
    const { state, close } = stopped();
    const unknown = decide(state, { type: 'OrderOutcomeUnknown', time: 12, clientOrderId: close.clientOrderId });
    const looked = decide(unknown.state, price(12 + CLOSE_RETRY_BASE_MS, '941'));
    expect(lookups(looked.commands)).toEqual([close.clientOrderId]);
    const missing = decide(looked.state, {
      type: 'UnknownOutcomeResolved',
      time: 1013,
      clientOrderId: close.clientOrderId,
      order: undefined,
    });
    expect(closes(missing.commands)).toEqual([]);
    const retry = decide(missing.state, price(1013 + 8 * CLOSE_RETRY_BASE_MS, '941'));
    expect(closes(retry.commands)).toHaveLength(1);
  });
});

describe('reconciliation and the outstanding close', () => {
  it('a close still in flight is not looked up (it could be missed and replaced); one reported open and no longer listed is', () => {
    const { state, close } = stopped();
    const inFlight = decide(state, { type: 'OpenOrdersReported', time: 11, orders: [] });
    expect(lookups(inFlight.commands)).not.toContain(close.clientOrderId);
    const working = decide(inFlight.state, reported(close.clientOrderId, '0.03', '0', 'NEW', 12));
    expect(working.state.closing?.order?.status).toBe('working');
    expect(lookups(decide(working.state, { type: 'OpenOrdersReported', time: 13, orders: [] }).commands)).toContain(
      close.clientOrderId,
    );
  });
});

describe('what the close did not sell is closed too', () => {
  it('a partially filled close: the remainder goes out at once, under a new id even in the same millisecond', () => {
    const { state, close } = stopped();
    const partial = run(state, [
      closeFill(close.clientOrderId, '0.01', 10),
      reported(close.clientOrderId, '0.03', '0.01', 'EXPIRED', 10),
    ]);
    const [remainder] = closes(partial.commands);
    expect(remainder!.quantity.toFixed()).toBe('0.02');
    expect(remainder!.clientOrderId).not.toBe(close.clientOrderId);
    expect(remainder!.decidedAt).toBe(close.decidedAt);
    expect(parseClientOrderId(remainder!.clientOrderId)).toMatchObject({
      purpose: 'close',
      decidedAt: close.decidedAt,
    });
    const flat = run(partial.state, [closeFill(remainder!.clientOrderId, '0.02', 11), price(20_000, '941')]);
    expect(closes(flat.commands)).toEqual([]);
    expect(closableQuantity(flat.state).isZero()).toBe(true);
  });

  it('an expiry reported before its fills: the close waits for them, then nothing is left', () => {
    const { state, close } = stopped();
    const expired = decide(state, reported(close.clientOrderId, '0.03', '0.03', 'EXPIRED', 11));
    expect(expired.state.closing?.order?.status).toBe('ended');
    const done = run(expired.state, [closeFill(close.clientOrderId, '0.03', 12), price(20_000, '941')]);
    expect(closes(done.commands)).toEqual([]);
    expect(done.state.closing?.order).toBeUndefined();
  });

  it('a buy fill that lands after the close was sized is closed as well', () => {
    const { state, close } = stopped();
    expect(cancels(decide(holding(), price(10, '940')).commands).map((c) => c.level)).toContain(-2);
    // Level -2's buy filled at the venue before the cancel reached it: the fill arrives after the close.
    const late = run(state, [
      filled(fill(orderId(state, -2), 'BUY', '980', '0.03', 11)),
      closeFill(close.clientOrderId, '0.03', 12),
    ]);
    const [second] = closes(late.commands);
    expect(second!.quantity.toFixed()).toBe('0.03');
    const flat = run(late.state, [closeFill(second!.clientOrderId, '0.03', 13), price(20_000, '941')]);
    expect(closableQuantity(flat.state).isZero()).toBe(true);
    expect(places(flat.commands)).toEqual([]);
  });

  it('a buy fill after the grid was flat, still paused by the stop loss, is closed', () => {
    const { state, close } = stopped();
    const flat = decide(state, closeFill(close.clientOrderId, '0.03', 11));
    expect(closableQuantity(flat.state).isZero()).toBe(true);
    const late = decide(flat.state, filled(fill(orderId(state, -2), 'BUY', '980', '0.03', 30)));
    expect(closes(late.commands).map((c) => c.quantity.toFixed())).toEqual(['0.03']);
  });

  it('a grid reloaded while paused by a stop loss closes what it still holds; an operator resume ends closing', () => {
    const { state } = stopped();
    const grid = toGridRecord(state)!;
    const loaded = fromRecords(
      { exchange: state.exchange, symbol: state.symbol, market: state.market, settings: state.settings },
      grid,
      [...state.slots.values()].map((slot) => toSlotRecord(state, slot)),
      [],
    );
    expect(loaded.pause?.reason).toBe('stop-loss');
    expect(closes(decide(loaded, price(grid.updatedAt + 1, '941')).commands)).toHaveLength(1);
    const resumed = decide(loaded, { type: 'OperatorResumed', time: grid.updatedAt + 1 });
    expect(resumed.state.closing).toBeUndefined();
    expect(closes(resumed.commands)).toEqual([]);
  });
});

/**
 * A venue that answers each close at random (rejected, not sent, unknown with or without having
 * executed, partially or fully filled) while late buy fills keep arriving. The grid must never have
 * two closes the venue could still execute, and must end flat.
 */
describe('under a venue that randomly refuses or loses closes', () => {
  interface VenueClose {
    readonly quantity: Decimal;
    executed: Decimal;
    resolved: boolean;
  }

  for (const seed of [1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
    it(`seed ${seed}: one close at a time, and the grid ends flat`, () => {
      const random = mulberry32(seed);
      let { state, close: first } = stopped();
      let time = 10;
      let lateBuyLevel = -2;
      const venue = new Map<string, VenueClose>();
      const queue: GridEvent[] = [];
      let trade = 0;
      const sellFill = (id: string, quantity: Decimal): GridEvent => {
        trade += 1;
        return filled({ ...fill(id, 'SELL', '939', quantity.toFixed(), time), tradeId: `close-${seed}-${trade}` });
      };
      const onCommands = (commands: readonly GridCommand[], calm: boolean) => {
        for (const command of commands) {
          if (command.type === 'ClosePosition') {
            // A close can still execute while its outcome is unresolved and it is not completely filled.
            const live = [...venue.entries()]
              .filter(([, c]) => !c.resolved && c.executed.lt(c.quantity))
              .map(([id]) => id);
            expect(live, `close ${command.clientOrderId} sent while ${live.join(',')} may still execute`).toEqual([]);
            respond(command, calm);
          } else if (command.type === 'LookupOrder' && venue.has(command.clientOrderId)) {
            const entry = venue.get(command.clientOrderId)!;
            entry.resolved = true;
            queue.push(
              entry.executed.isZero()
                ? { type: 'UnknownOutcomeResolved', time, clientOrderId: command.clientOrderId, order: undefined }
                : reported(
                    command.clientOrderId,
                    entry.quantity.toFixed(),
                    entry.executed.toFixed(),
                    entry.executed.eq(entry.quantity) ? 'FILLED' : 'EXPIRED',
                    time,
                  ),
            );
          }
        }
      };
      const respond = (close: Close, calm: boolean) => {
        const roll = calm ? 0.99 : random();
        const entry: VenueClose = { quantity: close.quantity, executed: ZERO, resolved: true };
        venue.set(close.clientOrderId, entry);
        const id = close.clientOrderId;
        if (roll < 0.2) {
          queue.push({ type: 'OrderRejected', time, clientOrderId: id, reason: 'other' });
        } else if (roll < 0.35) {
          queue.push({ type: 'UnknownOutcomeResolved', time, clientOrderId: id, order: undefined });
        } else if (roll < 0.55) {
          // Unknown outcome: the venue may have executed it (its fills arrive; its answer was lost).
          entry.resolved = false;
          if (random() < 0.5) {
            entry.executed = close.quantity;
            queue.push(sellFill(id, close.quantity));
          }
          queue.push({ type: 'OrderOutcomeUnknown', time, clientOrderId: id });
        } else if (roll < 0.75) {
          const part = dec(close.quantity.mul(dec('0.5')).toFixed(3));
          entry.executed = part;
          if (!part.isZero()) queue.push(sellFill(id, part));
          queue.push(reported(id, close.quantity.toFixed(), part.toFixed(), 'EXPIRED', time));
        } else {
          entry.executed = close.quantity;
          queue.push(
            reported(id, close.quantity.toFixed(), close.quantity.toFixed(), 'FILLED', time),
            sellFill(id, close.quantity),
          );
        }
      };
      const step = (event: GridEvent, calm: boolean) => {
        const decision = decide(state, event);
        state = decision.state;
        onCommands(decision.commands, calm);
      };
      onCommands([first], false);
      for (let round = 0; round < 200; round += 1) {
        time += Math.floor(random() * 3_000);
        if (random() < 0.1 && lateBuyLevel > -6) {
          // A late buy fill of a slot whose order the stop cancelled: more to close.
          queue.push(
            filled({
              ...fill(`qm.${state.tag!}.B.${lateBuyLevel}.0`, 'BUY', '950', '0.03', time),
              tradeId: `late-${seed}-${round}`,
            }),
          );
          lateBuyLevel -= 1;
        }
        queue.push(price(time, '940'));
        for (let event = queue.shift(); event !== undefined; event = queue.shift()) step(event, false);
      }
      // Calm venue: every close fills; the grid must reach flat within the longest backoff.
      for (let round = 0; round < 5; round += 1) {
        time += 60_000;
        queue.push(price(time, '940'));
        for (let event = queue.shift(); event !== undefined; event = queue.shift()) step(event, true);
      }
      expect(closableQuantity(state).isZero()).toBe(true);
      expect(state.closing?.order).toBeUndefined();
      const sold = [...venue.values()].reduce((sum, c) => sum.add(c.executed), ZERO);
      const bought = dec('0.03').add(dec('0.03').mul(-2 - lateBuyLevel));
      expect(sold.toFixed()).toBe(bought.toFixed());
    });
  }
});
