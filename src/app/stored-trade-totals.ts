/**
 * Realized PnL (net of fees: the trades' own `realizedPnl`), fees and trade count per symbol, read
 * from the stored trades (the Database port's `getStatistics`, aggregated by the server), so a
 * restart or a takeover shows the same figures as before it: the status line, `GET /api/status` and
 * the metrics read them from here, not from what one runner booked since it started.
 *
 * The figures are those of the last refresh. A trade still in the write-behind spool shows once it
 * is written; while the database is down the last figures stay (and `refresh` rejects, for the caller
 * to log).
 */
import { type Decimal, ZERO } from '../domain/decimal.js';
import type { DatabaseOperations } from '../storage/database.js';

export interface TradeTotals {
  /** Σ realized PnL of the stored trades, net of the fees of both legs, quote currency. */
  readonly realizedPnl: Decimal;
  /** Σ fees of the stored trades (both legs), quote currency. */
  readonly fees: Decimal;
  readonly tradeCount: number;
}

const NONE: TradeTotals = Object.freeze({ realizedPnl: ZERO, fees: ZERO, tradeCount: 0 });

const keyOf = (exchange: string, symbol: string): string => JSON.stringify([exchange, symbol]);

export class StoredTradeTotals {
  readonly #database: Pick<DatabaseOperations, 'getStatistics'>;
  readonly #exchanges: readonly string[];
  #totals = new Map<string, TradeTotals>();

  /** `exchanges`: the venues whose symbols are reported (one query each per refresh). */
  constructor(database: Pick<DatabaseOperations, 'getStatistics'>, exchanges: Iterable<string>) {
    this.#database = database;
    this.#exchanges = [...new Set(exchanges)];
  }

  /** Reads the totals again; on failure the previous ones stay and the error is thrown. */
  async refresh(): Promise<void> {
    const totals = new Map<string, TradeTotals>();
    for (const exchange of this.#exchanges) {
      const statistics = await this.#database.getStatistics({ exchange });
      for (const day of statistics.days) {
        const key = keyOf(day.exchange, day.symbol);
        const sum = totals.get(key) ?? NONE;
        totals.set(key, {
          realizedPnl: sum.realizedPnl.add(day.realizedPnl),
          fees: sum.fees.add(day.fees),
          tradeCount: sum.tradeCount + day.tradeCount,
        });
      }
    }
    this.#totals = totals;
  }

  /** The symbol's totals at the last refresh (zero when it has no stored trade). */
  of(exchange: string, symbol: string): TradeTotals {
    return this.#totals.get(keyOf(exchange, symbol)) ?? NONE;
  }

  /** The same, as the status shows them (8 decimal places). */
  figures(exchange: string, symbol: string): { realizedPnl: string; fees: string; tradeCount: number } {
    const totals = this.of(exchange, symbol);
    return {
      realizedPnl: totals.realizedPnl.toDecimalPlaces(8).toFixed(),
      fees: totals.fees.toDecimalPlaces(8).toFixed(),
      tradeCount: totals.tradeCount,
    };
  }
}
