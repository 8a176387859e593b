/** The figures a backtest ends with, and their text form. Deterministic: no wall-clock figure belongs here. */
import { type Decimal, dec } from '../domain/decimal.js';
import type { BacktestLedger } from './backtest-ledger.js';

export interface BacktestReport {
  readonly exchange: string;
  readonly symbol: string;
  readonly seed: number;
  /** Prices the grid saw: the opening price and one per step. */
  readonly ticks: number;
  readonly firstPrice: string;
  readonly lastPrice: string;
  /** PnL of the booked round trips before fees, Σ (sell − buy) · quantity, quote currency. */
  readonly realizedPnlGross: string;
  /** Fees of both legs of the booked round trips. */
  readonly realizedFees: string;
  /** Realized PnL net of fees (gross − realized fees): what a live run stores and shows. */
  readonly realizedPnl: string;
  /** Open position marked at the last price against its entry prices (before fees). */
  readonly unrealizedPnl: string;
  /** Fees of every fill (both legs, the open position's included). */
  readonly fees: string;
  /** realized gross + unrealized − fees (= cash flow + position at the last price − every fee). */
  readonly equity: string;
  readonly maxDrawdown: string;
  /** Round trips booked (a close-position fill books one per slot it closes). */
  readonly trades: number;
  readonly fills: number;
  /** Orders sent to the sim: the grid's limit orders and its close-position market orders. */
  readonly ordersPlaced: number;
  /** Of those, the ones the sim refused. */
  readonly ordersRejected: number;
  /** Fraction of ticks that ended with a non-zero position, 6 decimals. */
  readonly timeInMarket: string;
  readonly finalPosition: string;
  /** Why the grid paused, when it did (it then places nothing until an operator resumes it). */
  readonly pausedBecause?: string | undefined;
}

export interface ReportFacts {
  readonly exchange: string;
  readonly symbol: string;
  readonly seed: number;
  readonly firstPrice: Decimal;
  /** Orders sent to the sim: the grid's limit orders and its close-position market orders. */
  readonly ordersPlaced: number;
  /** Of those, the ones the sim refused. */
  readonly ordersRejected: number;
  readonly pausedBecause: string | undefined;
}

export function reportOf(ledger: BacktestLedger, facts: ReportFacts): BacktestReport {
  const last = ledger.last;
  const zero = dec(0);
  return Object.freeze({
    exchange: facts.exchange,
    symbol: facts.symbol,
    seed: facts.seed,
    ticks: ledger.ticks,
    firstPrice: facts.firstPrice.toFixed(),
    lastPrice: (last?.price ?? facts.firstPrice).toFixed(),
    realizedPnlGross: ledger.realizedGross.toFixed(),
    realizedFees: ledger.realizedFees.toFixed(),
    realizedPnl: ledger.realized.toFixed(),
    unrealizedPnl: (last?.unrealized ?? zero).toFixed(),
    fees: ledger.fees.toFixed(),
    equity: (last?.equity ?? zero).toFixed(),
    maxDrawdown: ledger.maxDrawdown.toFixed(),
    trades: ledger.trades,
    fills: ledger.fills,
    ordersPlaced: facts.ordersPlaced,
    ordersRejected: facts.ordersRejected,
    timeInMarket: ledger.ticks === 0 ? '0' : dec(ledger.ticksInMarket).div(ledger.ticks).toDecimalPlaces(6).toFixed(),
    finalPosition: (last?.position ?? zero).toFixed(),
    pausedBecause: facts.pausedBecause,
  });
}

/** The report as aligned `label: value` lines for a terminal. */
export function formatReport(report: BacktestReport): string {
  const rows: [string, string | number][] = [
    ['symbol', `${report.exchange}:${report.symbol} (seed ${report.seed})`],
    ['ticks', report.ticks],
    ['price', `${report.firstPrice} → ${report.lastPrice}`],
    [
      'realized PnL (gross − fees = net)',
      `${report.realizedPnlGross} − ${report.realizedFees} = ${report.realizedPnl}`,
    ],
    ['unrealized PnL', report.unrealizedPnl],
    ['fees (all fills)', report.fees],
    ['equity', report.equity],
    ['max drawdown', report.maxDrawdown],
    ['trades (round trips)', report.trades],
    ['fills', report.fills],
    ['orders placed / rejected', `${report.ordersPlaced} / ${report.ordersRejected}`],
    ['time in market', report.timeInMarket],
    ['final position', report.finalPosition],
  ];
  if (report.pausedBecause !== undefined) rows.push(['grid paused', report.pausedBecause]);
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n') + '\n';
}
