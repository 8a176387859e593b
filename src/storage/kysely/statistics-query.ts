/**
 * Statistics per symbol and UTC day, aggregated by the database (GROUP BY the UTC day number of
 * `closed_at`): realized PnL, fees, quote volume of the sells, trade count and winning trades. Only
 * one row per (symbol, day) crosses the wire; the totals add those rows up exactly.
 */
import { sql } from 'kysely';
import { dec, type Decimal, ZERO } from '../../domain/decimal.js';
import type { DailyStatistics, Statistics, StatisticsFilter } from '../records.js';
import { decimalProduct, decimalSum, isPositive, utcDayNumber } from './dialect-sql.js';
import type { QueryContext } from './query-context.js';
import { toNumber } from './row-mappers.js';

const DAY_MS = 86_400_000;

export async function getStatistics({ db, dialect }: QueryContext, filter: StatisticsFilter): Promise<Statistics> {
  const day = utcDayNumber(dialect, sql.ref('closed_at'));
  let query = db
    .selectFrom('trades')
    .select([
      'exchange',
      'symbol',
      day.as('day'),
      decimalSum(dialect, sql.ref('realized_pnl')).as('realized_pnl'),
      decimalSum(dialect, sql.ref('fees')).as('fees'),
      decimalSum(dialect, decimalProduct(dialect, sql.ref('quantity'), sql.ref('sell_price'))).as('volume'),
      sql<number | string | bigint>`count(*)`.as('trade_count'),
      sql<number | string | bigint>`sum(${isPositive(dialect, sql.ref('realized_pnl'))})`.as('wins'),
    ]);
  if (filter.exchange !== undefined) query = query.where('exchange', '=', filter.exchange);
  if (filter.symbol !== undefined) query = query.where('symbol', '=', filter.symbol);
  if (filter.from !== undefined) query = query.where('closed_at', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('closed_at', '<', filter.to);
  const rows = await query
    .groupBy(['exchange', 'symbol', day])
    .orderBy(day)
    .orderBy('exchange')
    .orderBy('symbol')
    .execute();

  let wins = 0;
  const days: DailyStatistics[] = rows.map((row) => {
    const tradeCount = toNumber(row.trade_count);
    wins += toNumber(row.wins);
    return {
      exchange: row.exchange,
      symbol: row.symbol,
      day: new Date(toNumber(row.day) * DAY_MS).toISOString().slice(0, 10),
      realizedPnl: dec(row.realized_pnl ?? '0'),
      fees: dec(row.fees ?? '0'),
      volume: dec(row.volume ?? '0'),
      tradeCount,
      winRate: ratio(toNumber(row.wins), tradeCount),
    };
  });
  const sum = (pick: (d: DailyStatistics) => Decimal) => days.reduce((total, d) => total.plus(pick(d)), ZERO);
  const tradeCount = days.reduce((total, d) => total + d.tradeCount, 0);
  return {
    days,
    realizedPnl: sum((d) => d.realizedPnl),
    fees: sum((d) => d.fees),
    volume: sum((d) => d.volume),
    tradeCount,
    winRate: ratio(wins, tradeCount),
  };
}

function ratio(part: number, whole: number): Decimal {
  return whole === 0 ? ZERO : dec(part).div(whole);
}
