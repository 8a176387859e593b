/**
 * One progress bar for long commands (backtest, sweep, db copy), on stderr: redrawn in place
 * (carriage return) on a terminal at most every 100 ms, one line at most every 5 s otherwise (logs,
 * pipes); the last update of each label is always drawn. The rate is per second of wall time,
 * which is why a bar never reaches a deterministic report.
 */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

export interface ProgressBarOptions {
  /** What is counted, shown after the count (`ticks`, `rows`). */
  readonly unit: string;
  /** Show `<n> <unit>/s` since the bar was made. */
  readonly rate?: boolean | undefined;
  readonly clock?: (() => number) | undefined;
}

const BAR_WIDTH = 30;
const LABEL_WIDTH = 14;

export class ProgressBar {
  readonly #output: ProgressOutput;
  readonly #options: ProgressBarOptions;
  readonly #clock: () => number;
  readonly #intervalMs: number;
  readonly #started: number;
  #lastDrawnAt = Number.NEGATIVE_INFINITY;
  /** The last line drawn, and whether it ended the line (terminal). */
  #lastLine = '';
  #lineOpen = false;

  constructor(output: ProgressOutput, options: ProgressBarOptions) {
    this.#output = output;
    this.#options = options;
    this.#clock = options.clock ?? (() => performance.now());
    this.#intervalMs = output.isTTY === true ? 100 : 5000;
    this.#started = this.#clock();
  }

  update(done: number, total: number, label?: string): void {
    const now = this.#clock();
    const complete = done >= total;
    if (!complete && now - this.#lastDrawnAt < this.#intervalMs) return;
    const line = this.#line(done, total, label, now);
    if (complete && line === this.#lastLine) return;
    this.#lastDrawnAt = now;
    this.#lastLine = line;
    if (this.#output.isTTY !== true) {
      this.#output.write(`${line}\n`);
      return;
    }
    this.#output.write(`\r${line}${complete ? '\n' : ''}`);
    this.#lineOpen = !complete;
  }

  /** Ends a line left open on a terminal (a run stopped before its last update). */
  finish(): void {
    if (this.#lineOpen) this.#output.write('\n');
    this.#lineOpen = false;
  }

  #line(done: number, total: number, label: string | undefined, now: number): string {
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const { unit } = this.#options;
    let line = `${label === undefined ? '' : `${label.padEnd(LABEL_WIDTH)} `}[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} ${unit} ${(fraction * 100).toFixed(1).padStart(5)}%`;
    if (this.#options.rate === true)
      line += ` ${Math.round(done / Math.max((now - this.#started) / 1000, 1e-3))} ${unit}/s`;
    return line;
  }
}
