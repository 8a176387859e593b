/**
 * A progress bar for long runs, on stderr: redrawn in place (carriage return) on a terminal, one
 * line at most every few seconds otherwise (logs, pipes). Shows ticks per second of wall time,
 * which is why it lives outside the deterministic report.
 */
export interface ProgressOutput {
  write(text: string): void;
  readonly isTTY?: boolean | undefined;
}

const BAR_WIDTH = 30;

export class ProgressBar {
  readonly #output: ProgressOutput;
  readonly #clock: () => number;
  readonly #intervalMs: number;
  readonly #started: number;
  #lastDrawn = Number.NEGATIVE_INFINITY;
  #finished = false;

  constructor(output: ProgressOutput, clock: () => number = () => performance.now()) {
    this.#output = output;
    this.#clock = clock;
    this.#intervalMs = output.isTTY === true ? 100 : 5000;
    this.#started = clock();
  }

  update(done: number, total: number): void {
    if (this.#finished) return;
    const now = this.#clock();
    const complete = done >= total;
    if (!complete && now - this.#lastDrawn < this.#intervalMs) return;
    this.#lastDrawn = now;
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * BAR_WIDTH);
    const seconds = Math.max((now - this.#started) / 1000, 1e-3);
    const line = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}% ${done}/${total} ticks ${Math.round(done / seconds)} ticks/s`;
    this.#output.write(this.#output.isTTY === true ? `\r${line}${complete ? '\n' : ''}` : `${line}\n`);
    if (complete) this.#finished = true;
  }
}
