/**
 * Every fill of the sim, per account and symbol, in ascending trade id (Invariant 2: a cursor on
 * the last trade id seen yields each fill once).
 */
import type { Fill } from '../../domain/fill.js';

export class SimFillLedger {
  readonly #fills = new Map<string, Map<string, Fill[]>>();

  /** Appends a fill; its trade id must be greater than every id recorded before. */
  record(fill: Fill): void {
    const bySymbol = this.#fills.get(fill.account) ?? new Map<string, Fill[]>();
    this.#fills.set(fill.account, bySymbol);
    const list = bySymbol.get(fill.symbol) ?? [];
    list.push(fill);
    bySymbol.set(fill.symbol, list);
  }

  /** Fills with trade id > `afterTradeId` (all when undefined), oldest first, at most `limit`. */
  after(accountId: string, symbol: string, afterTradeId: number | undefined, limit: number): Fill[] {
    const fills = this.#fills.get(accountId)?.get(symbol) ?? [];
    const after = afterTradeId ?? 0;
    let low = 0;
    let high = fills.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Number((fills[middle] as Fill).tradeId) <= after) low = middle + 1;
      else high = middle;
    }
    return fills.slice(low, low + limit);
  }
}
