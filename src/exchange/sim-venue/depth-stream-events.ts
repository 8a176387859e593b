/**
 * Depth stream events of Binance USDⓈ-M: partial books (`<s>@depth5|10|20[@100ms|@500ms]`, the top
 * levels) and diffs (`<s>@depth[@100ms|@500ms|@0ms]`, the levels that changed, quantity 0 for a
 * level that left). Every event carries `U`/`u` (first and last update id it covers) and `pu` (the
 * last update id of the previous diff), so a client can apply diffs on a REST snapshot as Binance
 * documents: drop events with `u` < `lastUpdateId`, start with the one covering it, then require
 * `pu` = the previous `u`. Events go out on every book change; the speed suffix is accepted, not
 * simulated.
 */
import { decimalToString as text } from '../../domain/decimal.js';
import type { BookLevel, BookSnapshot, SimVenueBook } from './sim-venue-book.js';

const DEPTH_STREAM = /^([a-z0-9]+)@depth(5|10|20)?(@(?:0|100|250|500)ms)?$/;

export interface DepthStreamName {
  readonly symbol: string;
  /** Top levels of a partial book; undefined for the diff stream. */
  readonly levels: number | undefined;
}

export function parseDepthStream(stream: string): DepthStreamName | undefined {
  const match = DEPTH_STREAM.exec(stream);
  if (match === null) return undefined;
  return { symbol: (match[1] as string).toUpperCase(), levels: match[2] === undefined ? undefined : Number(match[2]) };
}

function levelText(side: readonly BookLevel[]): string[][] {
  return side.map(([price, quantity]) => [text(price), text(quantity)]);
}

/** Levels of `next` that differ from `previous`, and a 0 quantity for those that left. */
function changes(previous: ReadonlyMap<string, string>, next: ReadonlyMap<string, string>): string[][] {
  const changed: string[][] = [];
  for (const [price, quantity] of next) if (previous.get(price) !== quantity) changed.push([price, quantity]);
  for (const price of previous.keys()) if (!next.has(price)) changed.push([price, '0']);
  return changed;
}

function keyed(side: readonly BookLevel[]): Map<string, string> {
  return new Map(side.map(([price, quantity]) => [text(price), text(quantity)]));
}

interface Published {
  readonly updateId: number;
  readonly bids: Map<string, string>;
  readonly asks: Map<string, string>;
}

/** Builds the depth events of the symbols someone watches, one change at a time. */
export class DepthStreamEvents {
  readonly #book: SimVenueBook;
  readonly #published = new Map<string, Published>();

  constructor(book: SimVenueBook) {
    this.#book = book;
  }

  /** From now on, diffs of `symbol` are computed (from the book as it is now). */
  watch(symbol: string): void {
    if (!this.#published.has(symbol)) this.#published.set(symbol, this.#publishable(this.#book.snapshot(symbol)));
  }

  /** Nobody watches the diffs of `symbol` any more: stop computing them (a later watcher starts afresh). */
  unwatch(symbol: string): void {
    this.#published.delete(symbol);
  }

  /** The diff and partial events for the book change just made; `partialLevels` lists the partial depths wanted. */
  onChange(
    symbol: string,
    eventTime: number,
    partialLevels: readonly number[],
  ): { diff: object | undefined; partials: Map<number, object> } {
    const previous = this.#published.get(symbol);
    const partials = new Map<number, object>();
    if (previous === undefined && partialLevels.length === 0) return { diff: undefined, partials };
    const snapshot = this.#book.snapshot(symbol);
    const header = (U: number, pu: number) => ({
      e: 'depthUpdate',
      E: eventTime,
      T: eventTime,
      s: symbol,
      U,
      u: snapshot.updateId,
      pu,
    });
    for (const levels of partialLevels) {
      partials.set(levels, {
        ...header(snapshot.updateId, snapshot.updateId - 1),
        b: levelText(snapshot.bids.slice(0, levels)),
        a: levelText(snapshot.asks.slice(0, levels)),
      });
    }
    if (previous === undefined) return { diff: undefined, partials };
    const next = this.#publishable(snapshot);
    this.#published.set(symbol, next);
    const diff = {
      ...header(previous.updateId + 1, previous.updateId),
      b: changes(previous.bids, next.bids),
      a: changes(previous.asks, next.asks),
    };
    return { diff, partials };
  }

  #publishable(snapshot: BookSnapshot): Published {
    return { updateId: snapshot.updateId, bids: keyed(snapshot.bids), asks: keyed(snapshot.asks) };
  }
}
