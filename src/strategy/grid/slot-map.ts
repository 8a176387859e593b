/**
 * The grid's slots by level: an immutable map that is cheap to change and to scan.
 *
 * A grid remembers every level it ever traded (a slot's cycle is part of its client order ids, so
 * it must outlive the slot's last order), yet each event concerns a handful of them. The slots are
 * kept in three tiers by what they hold: an order (`working`: what every event scans), a position
 * and no order (`held`), or neither (`resting`: kept for the cycle). Each tier is split in chunks of
 * 16 levels, copied on write one chunk at a time, so a change costs one chunk and the chunk index,
 * never every level the price has visited, and a long run does not slow down as the price wanders
 * (16 rather than 64: a fill moves a slot between tiers, and copying the chunks was the cost).
 *
 * As a ReadonlyMap it holds every slot (working, then held, then resting).
 */
import { isWorking } from '../../domain/order.js';
import type { Slot } from './grid-state.js';

const CHUNK_BITS = 4;

type Chunks = ReadonlyMap<number, ReadonlyMap<number, Slot>>;

const NO_CHUNKS: Chunks = new Map();

/** A chunked level map being changed: chunks are copied the first time they are written. */
class ChunkWriter {
  #chunks: Chunks;
  #copiedChunks: Set<number> | undefined;
  size: number;

  constructor(chunks: Chunks, size: number) {
    this.#chunks = chunks;
    this.size = size;
  }

  get(level: number): Slot | undefined {
    return this.#chunks.get(level >> CHUNK_BITS)?.get(level);
  }

  set(slot: Slot): void {
    const chunk = this.#writable(slot.level >> CHUNK_BITS);
    if (!chunk.has(slot.level)) this.size += 1;
    chunk.set(slot.level, slot);
  }

  delete(level: number): void {
    const key = level >> CHUNK_BITS;
    const chunk = this.#writable(key);
    if (!chunk.delete(level)) return;
    this.size -= 1;
    if (chunk.size === 0) (this.#chunks as Map<number, ReadonlyMap<number, Slot>>).delete(key);
  }

  done(): Chunks {
    return this.#chunks;
  }

  #writable(key: number): Map<number, Slot> {
    if (this.#copiedChunks === undefined) {
      this.#chunks = new Map(this.#chunks);
      this.#copiedChunks = new Set();
    }
    const chunks = this.#chunks as Map<number, ReadonlyMap<number, Slot>>;
    const chunk = chunks.get(key);
    if (chunk !== undefined && this.#copiedChunks.has(key)) return chunk as Map<number, Slot>;
    const copy = new Map(chunk);
    chunks.set(key, copy);
    this.#copiedChunks.add(key);
    return copy;
  }
}

function* slotsOf(chunks: Chunks): Generator<Slot> {
  for (const chunk of chunks.values()) yield* chunk.values();
}

function listOf(chunks: Chunks): Slot[] {
  const slots: Slot[] = [];
  for (const chunk of chunks.values()) for (const slot of chunk.values()) slots.push(slot);
  return slots;
}

type Tier = 'working' | 'held' | 'resting';

function tierOf(slot: Slot): Tier {
  if (slot.order !== undefined) return 'working';
  return slot.positionQuantity.isZero() ? 'resting' : 'held';
}

interface Tiers<T> {
  readonly working: T;
  readonly held: T;
  readonly resting: T;
}

const TIERS: readonly Tier[] = ['working', 'held', 'resting'];

/** Orders counted by status, kept up to date by `with` (the quote reads them on every event). */
interface OrderCounts {
  /** Orders still working at the venue (not terminal), PENDING_CANCEL included. */
  readonly working: number;
  /** Of those, orders being cancelled. */
  readonly cancelling: number;
}

const NO_ORDERS: OrderCounts = { working: 0, cancelling: 0 };

function workingOf(slot: Slot | undefined): number {
  return slot?.order !== undefined && isWorking(slot.order.status) ? 1 : 0;
}

function cancellingOf(slot: Slot | undefined): number {
  return slot?.order?.status === 'PENDING_CANCEL' ? 1 : 0;
}

export class SlotMap implements ReadonlyMap<number, Slot> {
  static readonly EMPTY = new SlotMap(
    { working: NO_CHUNKS, held: NO_CHUNKS, resting: NO_CHUNKS },
    { working: 0, held: 0, resting: 0 },
    NO_ORDERS,
  );

  static of(slots: Iterable<Slot>): SlotMap {
    return SlotMap.EMPTY.with([...slots]);
  }

  #withOrders: readonly Slot[] | undefined;

  private constructor(
    private readonly tiers: Tiers<Chunks>,
    private readonly sizes: Tiers<number>,
    private readonly orders: OrderCounts,
  ) {}

  /** How many slots hold an order still working at the venue (PENDING_CANCEL included). */
  get workingOrderCount(): number {
    return this.orders.working;
  }

  /** How many slots hold an order being cancelled (PENDING_CANCEL). */
  get cancellingOrderCount(): number {
    return this.orders.cancelling;
  }

  get size(): number {
    return this.sizes.working + this.sizes.held + this.sizes.resting;
  }

  get(level: number): Slot | undefined {
    const key = level >> CHUNK_BITS;
    return (
      this.tiers.working.get(key)?.get(level) ??
      this.tiers.held.get(key)?.get(level) ??
      this.tiers.resting.get(key)?.get(level)
    );
  }

  has(level: number): boolean {
    return this.get(level) !== undefined;
  }

  /** Slots holding an order (working, pending or awaiting fills), in no particular order. */
  withOrders(): readonly Slot[] {
    // Read several times per event: built once per map (the map never changes).
    this.#withOrders ??= listOf(this.tiers.working);
    return this.#withOrders;
  }

  /** Slots without an order that hold a position, in no particular order. */
  heldWithoutOrder(): readonly Slot[] {
    return listOf(this.tiers.held);
  }

  /** How many slots hold a position and no order. */
  get heldWithoutOrderCount(): number {
    return this.sizes.held;
  }

  /** A map with these slots set (by level); this one is unchanged. */
  with(slots: readonly Slot[]): SlotMap {
    if (slots.length === 0) return this;
    const writers = {
      working: new ChunkWriter(this.tiers.working, this.sizes.working),
      held: new ChunkWriter(this.tiers.held, this.sizes.held),
      resting: new ChunkWriter(this.tiers.resting, this.sizes.resting),
    };
    let { working, cancelling } = this.orders;
    for (const slot of slots) {
      const tier = tierOf(slot);
      let previous: Slot | undefined;
      for (const other of TIERS) {
        const found = writers[other].get(slot.level);
        if (found === undefined) continue;
        previous = found;
        if (other !== tier) writers[other].delete(slot.level);
      }
      writers[tier].set(slot);
      working += workingOf(slot) - workingOf(previous);
      cancelling += cancellingOf(slot) - cancellingOf(previous);
    }
    return new SlotMap(
      { working: writers.working.done(), held: writers.held.done(), resting: writers.resting.done() },
      { working: writers.working.size, held: writers.held.size, resting: writers.resting.size },
      { working, cancelling },
    );
  }

  /** Levels whose slot is not the same object in `before` (transitions share untouched slots). */
  changedSince(before: SlotMap): number[] {
    const levels: number[] = [];
    if (before === this) return levels;
    for (const tier of TIERS) {
      const chunks = this.tiers[tier];
      const previous = before.tiers[tier];
      if (chunks === previous) continue;
      for (const [key, chunk] of chunks)
        if (previous.get(key) !== chunk)
          for (const [level, slot] of chunk) if (before.get(level) !== slot) levels.push(level);
    }
    return levels;
  }

  *entries(): Generator<[number, Slot]> {
    for (const tier of TIERS) for (const slot of slotsOf(this.tiers[tier])) yield [slot.level, slot];
  }

  *keys(): Generator<number> {
    for (const [level] of this.entries()) yield level;
  }

  *values(): Generator<Slot> {
    for (const [, slot] of this.entries()) yield slot;
  }

  [Symbol.iterator](): Generator<[number, Slot]> {
    return this.entries();
  }

  forEach(callback: (slot: Slot, level: number, map: ReadonlyMap<number, Slot>) => void): void {
    for (const [level, slot] of this.entries()) callback(slot, level, this);
  }
}
