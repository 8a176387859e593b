/**
 * Persist before act (Invariant 1) during a database outage, without churn (issue 14 item 4). A
 * placement whose intent could not be recorded because the database is unavailable closes the gate
 * for every grid of the engine (they share the database): no grid places or closes anything while
 * it is closed, so no intent is attempted, no spool record is written for it and no warning is
 * logged for it. Resting orders stay managed: fills, venue reports and risk checks go on.
 *
 * While closed the gate probes the database with a ping, backing off from `minDelayMs` doubling to
 * `maxDelayMs` (each delay jittered to 50–100 %, so instances do not probe in step), and opens on
 * the first answer; `databaseAnswered` (the instance's own once-a-second database check) opens it
 * at once, so trading resumes within about a second of the database's return whatever the backoff
 * reached. The backoff resets only when an intent is recorded again (`recorded`): a database that
 * answers pings yet refuses intents (a read-only primary) is retried at the backoff's pace, and the
 * instance's check no longer opens the gate until an intent went through.
 */
import type { Logger } from 'pino';
import { Backoff } from '../../coordination/lock/backoff.js';

export interface IntentGateOptions {
  readonly ping: (signal: AbortSignal) => Promise<void>;
  /** Told each time the gate closes (true) or opens (false). */
  readonly onChange: (held: boolean) => void;
  readonly logger: Logger;
  readonly minDelayMs?: number | undefined;
  readonly maxDelayMs?: number | undefined;
}

export const INTENT_GATE_MIN_DELAY_MS = 500;
export const INTENT_GATE_MAX_DELAY_MS = 30_000;

export class IntentGate {
  readonly #options: IntentGateOptions;
  #held = false;
  readonly #backoff: Backoff;
  #timer: NodeJS.Timeout | undefined;
  #closedAt = 0;
  #probes = 0;
  #stopped = false;
  /** Whether a ping answer means intents can be recorded: false after an opening that was refused again. */
  #pingsTell = true;
  #openedSinceRecorded = false;

  constructor(options: IntentGateOptions) {
    this.#options = options;
    this.#backoff = new Backoff({
      initialMs: options.minDelayMs ?? INTENT_GATE_MIN_DELAY_MS,
      maxMs: options.maxDelayMs ?? INTENT_GATE_MAX_DELAY_MS,
    });
  }

  get held(): boolean {
    return this.#held;
  }

  /** An intent was refused because the database is unavailable: hold placements until it answers. */
  refused(cause: unknown): void {
    if (this.#held || this.#stopped) return;
    if (this.#openedSinceRecorded) this.#pingsTell = false;
    this.#held = true;
    this.#closedAt = performance.now();
    this.#probes = 0;
    this.#options.logger.warn(
      { err: cause },
      'database unavailable: no order intent can be recorded; placements held until it answers (resting orders stay managed)',
    );
    this.#options.onChange(true);
    this.#schedule();
  }

  /** An intent was recorded: the database takes them again; the backoff starts afresh next time. */
  recorded(): void {
    this.#backoff.reset();
    this.#pingsTell = true;
    this.#openedSinceRecorded = false;
  }

  /** The database answered (a ping of the instance's own check): open now. */
  databaseAnswered(): void {
    if (this.#held && this.#pingsTell) this.#open();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  #schedule(): void {
    this.#timer = setTimeout(() => void this.#probe(), this.#backoff.next());
    this.#timer.unref();
  }

  async #probe(): Promise<void> {
    this.#timer = undefined;
    if (!this.#held || this.#stopped) return;
    this.#probes += 1;
    try {
      await this.#options.ping(AbortSignal.timeout(2_000));
    } catch {
      if (this.#held && !this.#stopped && this.#timer === undefined) this.#schedule();
      return;
    }
    if (this.#held) this.#open();
  }

  #open(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = false;
    this.#openedSinceRecorded = true;
    this.#options.logger.info(
      { heldMs: Math.round(performance.now() - this.#closedAt), probes: this.#probes },
      'database answers again: placements resume',
    );
    this.#options.onChange(false);
  }
}
