/** Persistence round trip through the storage records (GridRecord, SlotRecord, OrderRecord). */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { dec } from '../../../src/domain/decimal.js';
import type { OrderReport } from '../../../src/exchange/exchange.js';
import type { GridRecord, OrderRecord, SlotRecord } from '../../../src/storage/records.js';
import { decide } from '../../../src/strategy/grid/decide.js';
import { InvalidGridRecordError } from '../../../src/strategy/grid/errors.js';
import type { GridCommand } from '../../../src/strategy/grid/grid-command.js';
import type { VenueOrder } from '../../../src/strategy/grid/grid-event.js';
import {
  type GridSnapshot,
  type SlotOrderSnapshot,
  type SlotSnapshot,
  fromRecords,
  toGridRecord,
  toOrderRecord,
  toSlotRecord,
} from '../../../src/strategy/grid/grid-records.js';
import { gridSettings } from '../../../src/strategy/grid/grid-settings.js';
import type { GridState } from '../../../src/strategy/grid/grid-state.js';
import { BASE_SETTINGS, MARKET, accepted, fill, filled, newGrid, orderId, run, startedGrid } from './grid-fixture.js';

const IDENTITY = { exchange: 'binance', symbol: MARKET.symbol, market: MARKET, settings: gridSettings(BASE_SETTINGS) };

/** What an engine would have stored after following every PersistState command. */
function stored(commandLists: readonly (readonly GridCommand[])[], states: readonly GridState[]) {
  let grid: GridSnapshot | undefined;
  const slots = new Map<number, SlotSnapshot>();
  const orders = new Map<string, SlotOrderSnapshot>();
  commandLists.forEach((commands, i) => {
    const state = states[i]!;
    for (const command of commands) {
      if (command.type !== 'PersistState') continue;
      if (command.grid) grid = toGridRecord(state);
      for (const level of command.levels) {
        const slot = state.slots.get(level)!;
        slots.set(level, toSlotRecord(state, slot));
        const order = toOrderRecord(state, slot);
        if (order !== undefined) orders.set(order.clientOrderId, order);
      }
    }
  });
  return { grid: grid!, slots: [...slots.values()], orders: [...orders.values()] };
}

function comparable(state: GridState) {
  return {
    lattice: state.lattice,
    tag: state.tag,
    pause: state.pause,
    slots: [...state.slots.values()]
      .sort((a, b) => a.level - b.level)
      .map(({ openedAt: _o, updatedAt: _u, order, ...slot }) => ({
        ...slot,
        order: order === undefined ? undefined : { ...order, venueFilledQuantity: undefined },
      })),
  };
}

describe('grid records', () => {
  it('the storage record types and the strategy snapshots are assignable both ways', () => {
    expectTypeOf<GridSnapshot>().toMatchTypeOf<GridRecord>();
    expectTypeOf<GridRecord>().toMatchTypeOf<GridSnapshot>();
    expectTypeOf<SlotSnapshot>().toMatchTypeOf<SlotRecord>();
    expectTypeOf<SlotRecord>().toMatchTypeOf<SlotSnapshot>();
    expectTypeOf<SlotOrderSnapshot>().toMatchTypeOf<OrderRecord>();
    expectTypeOf<OrderRecord>().toMatchTypeOf<SlotOrderSnapshot>();
  });

  it('following PersistState and reloading gives back the same lattice, pause, slots and working orders', () => {
    const start = startedGrid();
    const s0 = start.state;
    const events = [
      accepted(s0, -1, 3),
      accepted(s0, -2, 3),
      filled(fill(orderId(s0, -1), 'BUY', '990', '0.01', 4, '0.002')),
      filled(fill(orderId(s0, -1), 'BUY', '989.9', '0.02', 5, '0.004')),
      filled(fill(orderId(s0, -2), 'BUY', '980', '0.005', 6, '0.001')),
      {
        type: 'OrderRejected' as const,
        time: 7,
        clientOrderId: orderId(s0, -3),
        reason: 'post-only-would-cross' as const,
      },
      { type: 'OrderRejected' as const, time: 8, clientOrderId: 'qm.nothing.B.1.0', reason: 'other' as const },
    ];
    const states = [s0];
    const lists = [start.commands];
    let current = s0;
    for (const event of events) {
      const decision = decide(current, event);
      current = decision.state;
      states.push(current);
      lists.push(decision.commands);
    }
    const records = stored(lists, states);
    const reloaded = fromRecords(
      IDENTITY,
      records.grid,
      records.slots,
      records.orders.filter((o) => current.slots.get(o.level!)?.order?.clientOrderId === o.clientOrderId),
    );
    expect(comparable(reloaded)).toEqual(comparable(current));
    expect(reloaded.slots.get(-1)!.entryPrice.toFixed(12)).toBe(current.slots.get(-1)!.entryPrice.toFixed(12));
  });

  it('a pause survives the round trip with its reason, and a foreign pause text reads as an operator pause', () => {
    const paused = startedGrid({ orderQuantity: '0.5' }).state;
    const record = toGridRecord(paused)!;
    expect(record.paused).toBe(true);
    expect(fromRecords(IDENTITY, record, [], []).pause).toEqual(paused.pause);
    expect(fromRecords(IDENTITY, { ...record, pausedReason: 'maintenance window' }, [], []).pause).toEqual({
      reason: 'operator',
      message: 'maintenance window',
    });
  });

  it('refuses records of another grid, a changed interval, duplicate slots or two working orders for a slot', () => {
    const state = run(startedGrid().state, []).state;
    const grid = toGridRecord(state)!;
    expect(() => fromRecords(IDENTITY, { ...grid, symbol: 'ETH/USDT:USDT' }, [], [])).toThrow(InvalidGridRecordError);
    expect(() => fromRecords(IDENTITY, { ...grid, interval: dec('20') }, [], [])).toThrow(
      /close the grid before changing its interval/,
    );
    const slot = toSlotRecord(state, state.slots.get(-1)!);
    expect(() => fromRecords(IDENTITY, grid, [slot, slot], [])).toThrow(/two slot records/);
    const order = toOrderRecord(state, state.slots.get(-1)!)!;
    expect(() => fromRecords(IDENTITY, grid, [], [order, { ...order, clientOrderId: 'qm.other.B.-1.1' }])).toThrow(
      /two working orders/,
    );
  });

  it('a grid without a first price has no grid record yet; a reloaded grid re-checks the account and waits for a price', () => {
    expect(toGridRecord(newGrid())).toBeUndefined();
    const reloaded = fromRecords(IDENTITY, toGridRecord(startedGrid().state)!, [], []);
    expect(reloaded.accountCheck).toBe('unchecked');
    expect(reloaded.lastPrice).toBeUndefined();
  });
});

describe('venue order view', () => {
  it("the exchange port's OrderReport can be fed to the grid as it is", () => {
    expectTypeOf<OrderReport>().toMatchTypeOf<VenueOrder>();
  });
});
