/**
 * The opaque cursor of `fillsSince` for ccxt venues (Invariant 2: each fill on exactly one page).
 * - `fromId` venues (Binance): trade ids are increasing integers; the cursor is the last id seen and
 *   the next page asks for ids from the one after it.
 * - `since` venues: the cursor is `<time>:<id>` of the last fill seen; the next page asks from that
 *   millisecond and drops every fill at or before (time, id) in (time, id) order.
 */
import type { Trade as CcxtTrade } from 'ccxt';
import { InvalidOrderError } from '../errors.js';

/** fetchMyTrades(since, limit, params) of one symbol. */
export type TradeFetch = (
  since: number | undefined,
  limit: number,
  params: Record<string, unknown>,
) => Promise<CcxtTrade[]>;

/** Most trades asked for in one request while widening past fills that share a millisecond. */
const MAX_FETCH = 1000;

export class FillCursor {
  readonly #paging: 'fromId' | 'since';
  readonly #lastId: bigint | undefined;
  readonly #time: number | undefined;
  readonly #id: string | undefined;

  private constructor(
    paging: 'fromId' | 'since',
    lastId: bigint | undefined,
    time: number | undefined,
    id: string | undefined,
  ) {
    this.#paging = paging;
    this.#lastId = lastId;
    this.#time = time;
    this.#id = id;
  }

  static parse(cursor: string | undefined, paging: 'fromId' | 'since', venue: string): FillCursor {
    if (cursor === undefined) return new FillCursor(paging, undefined, undefined, undefined);
    const refuse = (): never => {
      throw new InvalidOrderError(`bad fills cursor ${JSON.stringify(cursor)}`, venue);
    };
    if (paging === 'fromId')
      return /^\d+$/.test(cursor) ? new FillCursor(paging, BigInt(cursor), undefined, undefined) : refuse();
    const match = /^(\d+):(.+)$/.exec(cursor) ?? refuse();
    return new FillCursor(paging, undefined, Number(match[1]), match[2]);
  }

  /** The cursor after `trade` (undefined when there is no trade). */
  static of(trade: CcxtTrade | undefined, paging: 'fromId' | 'since'): string | undefined {
    if (trade === undefined) return undefined;
    return paging === 'fromId' ? String(trade.id) : `${trade.timestamp ?? 0}:${trade.id}`;
  }

  /**
   * The next page: at most `limit` trades after the cursor, oldest first. With time paging, a
   * venue answer made only of already-seen fills of the cursor's millisecond is widened (doubling
   * the request) until it reaches past them, so many fills in one millisecond cannot stall the chain.
   */
  async page(fetch: TradeFetch, limit: number): Promise<{ trades: CcxtTrade[]; hasMore: boolean }> {
    let asked = limit + 1;
    for (;;) {
      const answer = await fetch(this.since(), asked, this.params());
      const fresh = this.after(answer);
      const full = answer.length >= asked;
      if (fresh.length > 0 || !full || asked >= MAX_FETCH) {
        return { trades: fresh.slice(0, limit), hasMore: fresh.length > limit || (full && this.#paging === 'since') };
      }
      asked = Math.min(asked * 2, MAX_FETCH);
    }
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
    const compare = (a: [number, string], b: [number, string]) =>
      a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);
    const sorted = [...trades].sort((a, b) => compare(key(a), key(b)));
    if (this.#time === undefined) return sorted;
    const last: [number, string] = [this.#time, this.#id as string];
    return sorted.filter((trade) => compare(key(trade), last) > 0);
  }
}
