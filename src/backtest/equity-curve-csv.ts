/**
 * Writes the equity curve as CSV, one row per tick, while the backtest runs: rows are buffered and
 * written in chunks, so a run of millions of ticks never holds its curve in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { EquityPoint } from './backtest-ledger.js';

export const EQUITY_CSV_HEADER = 'time,price,position,realized,unrealized,equity';
const CHUNK_CHARS = 1 << 16;

export class EquityCurveCsv {
  readonly #fd: number;
  #buffer = `${EQUITY_CSV_HEADER}\n`;
  #closed = false;

  constructor(path: string) {
    this.#fd = openSync(path, 'w');
  }

  record(point: EquityPoint): void {
    this.#buffer += `${new Date(point.time).toISOString()},${point.price.toFixed()},${point.position.toFixed()},${point.realized.toFixed()},${point.unrealized.toFixed()},${point.equity.toFixed()}\n`;
    if (this.#buffer.length >= CHUNK_CHARS) this.#flush();
  }

  /** Writes what is buffered and closes the file; idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#flush();
    closeSync(this.#fd);
    this.#closed = true;
  }

  #flush(): void {
    writeSync(this.#fd, this.#buffer);
    this.#buffer = '';
  }
}
