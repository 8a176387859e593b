/** A one-line progress bar for `db copy`, redrawn in place on a terminal and printed per table otherwise. */
export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

const WIDTH = 30;

export class ProgressBar {
  #lastDrawn = '';

  constructor(readonly output: ProgressOutput) {}

  update(label: string, done: number, total: number): void {
    const filled = total === 0 ? WIDTH : Math.min(WIDTH, Math.round((done / total) * WIDTH));
    const line = `${label.padEnd(14)} [${'#'.repeat(filled)}${' '.repeat(WIDTH - filled)}] ${done}/${total}`;
    if (this.output.isTTY === true) this.output.write(`\r${line}`);
    else if (done === total && line !== this.#lastDrawn) this.output.write(`${line}\n`);
    this.#lastDrawn = line;
  }

  /** Ends the current line (terminal only). */
  finish(): void {
    if (this.output.isTTY === true && this.#lastDrawn !== '') this.output.write('\n');
    this.#lastDrawn = '';
  }
}
