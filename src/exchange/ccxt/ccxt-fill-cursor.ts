/**
 * The opaque cursor of `fillsSince` for ccxt venues (Invariant 2: each fill on exactly one page).
 * - `fromId` venues (Binance): trade ids are increasing integers; the cursor is the last id seen and
 *   the next page asks for ids from the one after it.
 * - `since` venues: the cursor is `<time>:<id>` of the last fill seen; the next page asks from that
 *   millisecond and drops every fill at or before (time, id) in (time, id) order.
 */
import type { Trade as CcxtTrade } from 'ccxt';
import { InvalidOrderError } from '../errors.js';

export class FillCursor {
  readonly #paging: 'fromId' | 'since';
  readonly #lastId: bigint | undefined;
  readonly #time: number | undefined;
  readonly #id: string | undefined;

  private constructor(paging: 'fromId' | 'since', lastId: bigint | undefined, time: number | undefined, id: string | undefined) {
    this.#paging = paging;
    this.#lastId = lastId;
    this.#time = time;
    this.#id = id;
  }

  static parse(cursor: string | undefined, paging: 'fromId' | 'since', venue: string): FillCursor {
    if (cursor === undefined) return new FillCursor(paging, undefined, undefined, undefined);
    const refuse = (): never => { throw new InvalidOrderError(`bad fills cursor ${JSON.stringify(cursor)}`, venue); };
    if (paging === 'fromId') return /^\d+$/.test(cursor) ? new FillCursor(paging, BigInt(cursor), undefined, undefined) : refuse();
    const match = /^(\d+):(.+)$/.exec(cursor) ?? refuse();
    return new FillCursor(paging, undefined, Number(match[1]), match[2]);
  }

  /** The cursor after `trade` (undefined when there is no trade). */
  static of(trade: CcxtTrade | undefined, paging: 'fromId' | 'since'): string | undefined {
    if (trade === undefined) return undefined;
    return paging === 'fromId' ? String(trade.id) : `${trade.timestamp ?? 0}:${trade.id}`;
  }

  /** `since` argument of fetchMyTrades. */
  since(): number | undefined {
    return this.#time;
  }

  /** Extra fetchMyTrades parameters. */
  params(): Record<string, unknown> {
    if (this.#paging !== 'fromId') return {};
    return { fromId: this.#lastId === undefined ? '0' : String(this.#lastId + 1n) };
  }

  /** The trades strictly after the cursor, oldest first. */
  after(trades: readonly CcxtTrade[]): CcxtTrade[] {
    if (this.#paging === 'fromId') {
      return trades
        .filter((trade) => this.#lastId === undefined || BigInt(trade.id as string) > this.#lastId)
        .sort((a, b) => (BigInt(a.id as string) < BigInt(b.id as string) ? -1 : 1));
    }
    const key = (trade: CcxtTrade): [number, string] => [trade.timestamp ?? 0, String(trade.id)];
    const compare = (a: [number, string], b: [number, string]) => (a[0] - b[0]) || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    const sorted = [...trades].sort((a, b) => compare(key(a), key(b)));
    if (this.#time === undefined) return sorted;
    const last: [number, string] = [this.#time, this.#id as string];
    return sorted.filter((trade) => compare(key(trade), last) > 0);
  }
}
