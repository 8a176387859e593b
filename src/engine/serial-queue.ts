/**
 * Runs tasks one at a time in arrival order: a symbol's events are applied to its grid strictly
 * sequentially, so the state machine never sees two events at once.
 */
export class SerialQueue {
  #tail: Promise<void> = Promise.resolve();
  #pending = 0;

  /** Queues `task`; the returned promise settles with it. A failed task does not stop later ones. */
  push<T>(task: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    const run = this.#tail.then(task);
    this.#tail = run.then(
      () => {
        this.#pending -= 1;
      },
      () => {
        this.#pending -= 1;
      },
    );
    return run;
  }

  get pending(): number {
    return this.#pending;
  }

  /** Resolves once every task queued so far has settled. */
  async drain(): Promise<void> {
    while (this.#pending > 0) await this.#tail;
  }
}
