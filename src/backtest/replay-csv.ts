/**
 * Reads a replay for the backtest from CSV text with a header row: a `price` column (trades, one
 * tick per row) or OHLC candles (`open,high,low,close`, four ticks per candle). A candle is walked
 * open → low → high → close when it closed up and open → high → low → close when it closed down,
 * the usual assumption when the path inside a candle is unknown: every level the candle touched is
 * crossed, so resting grid orders inside its range fill as they would have.
 */
import { type Decimal, dec } from '../domain/decimal.js';
import { parsePriceCsv } from '../exchange/sim/sim-price-path.js';
import { BacktestSetupError } from './errors.js';

const OHLC = ['open', 'high', 'low', 'close'] as const;

export function parseReplayCsv(text: string): Decimal[] {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((cell) => cell.trim().toLowerCase());
  const columns = OHLC.map((name) => header.indexOf(name));
  const prices =
    header.includes('price') || columns.some((index) => index < 0)
      ? parsePriceCsv(text)
      : lines.slice(1).flatMap((line, index) => candlePath(line, index + 2, columns));
  if (prices.length === 0) throw new BacktestSetupError('the replay CSV has no rows after its header');
  const bad = prices.findIndex((price) => !price.isPositive() || price.isZero());
  if (bad >= 0)
    throw new BacktestSetupError(`replay CSV: price ${prices[bad]?.toFixed()} (tick ${bad + 1}) is not positive`);
  return prices;
}

function candlePath(line: string, lineNumber: number, columns: readonly number[]): Decimal[] {
  const cells = line.split(',');
  const [open, high, low, close] = columns.map((column, index) => {
    const cell = cells[column]?.trim() ?? '';
    try {
      return dec(cell);
    } catch {
      throw new BacktestSetupError(
        `replay CSV line ${lineNumber}: ${OHLC[index]} is not a price: ${JSON.stringify(cell)}`,
      );
    }
  }) as [Decimal, Decimal, Decimal, Decimal];
  if (high.lt(low) || high.lt(open) || high.lt(close) || low.gt(open) || low.gt(close)) {
    throw new BacktestSetupError(
      `replay CSV line ${lineNumber}: high ${high.toFixed()} and low ${low.toFixed()} do not contain open and close`,
    );
  }
  return close.gte(open) ? [open, low, high, close] : [open, high, low, close];
}
