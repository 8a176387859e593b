/**
 * `coordination.orphan_timeout` (issue 14 item 5): an instance that owns a symbol but cannot trade it
 * (its runner faulted: a refused API key, a store that failed) for longer than the timeout hands the
 * ownership over, cancelling nothing (the next owner adopts the orders), so that another instance, a
 * standby, takes the symbol. One timeout later it campaigns for it again: if nobody took it, it wins
 * it back and its engine starts it afresh. Only `faulted` counts: during a database outage no
 * instance could trade (handing over would only churn), and a paused symbol is paused on purpose.
 * The handover is alerted as `ownership-lost`, naming the cause.
 */
import type { Logger } from 'pino';
import type { OwnedSymbol } from '../coordination/ownership/symbol-ownership.js';
import type { SymbolStatus } from '../engine/symbol-summary.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';

export interface OrphanReleaseOptions {
  readonly instanceId: string;
  readonly timeoutMs: number;
  readonly symbols: () => readonly Pick<SymbolStatus, 'exchange' | 'symbol' | 'state' | 'ownership'>[];
  readonly ownership: {
    handOver(owned: OwnedSymbol, reason: string): Promise<boolean>;
    claim(owned: OwnedSymbol): void;
  };
  readonly alerts: AlertNotifier;
  readonly logger: Logger;
  readonly intervalMs?: number | undefined;
}

export class OrphanRelease {
  readonly #options: OrphanReleaseOptions;
  /** Since when (performance.now) each owned symbol has been faulted, by `exchange:symbol`. */
  readonly #faultedSince = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #interval: NodeJS.Timeout | undefined;

  constructor(options: OrphanReleaseOptions) {
    this.#options = options;
  }

  start(): void {
    this.#interval = setInterval(() => this.check(), this.#options.intervalMs ?? 1000);
    this.#interval.unref();
  }

  stop(): void {
    clearInterval(this.#interval);
    for (const timer of this.#timers) clearTimeout(timer);
  }

  check(): void {
    const now = performance.now();
    const seen = new Set<string>();
    for (const status of this.#options.symbols()) {
      const key = `${status.exchange}:${status.symbol}`;
      if (status.ownership !== 'owned' || status.state !== 'faulted') continue;
      seen.add(key);
      const since = this.#faultedSince.get(key) ?? now;
      this.#faultedSince.set(key, since);
      if (now - since >= this.#options.timeoutMs) this.#giveUp({ exchange: status.exchange, symbol: status.symbol });
    }
    for (const key of [...this.#faultedSince.keys()]) if (!seen.has(key)) this.#faultedSince.delete(key);
  }

  #giveUp(owned: OwnedSymbol): void {
    const { instanceId, timeoutMs, ownership, alerts, logger } = this.#options;
    const key = `${owned.exchange}:${owned.symbol}`;
    this.#faultedSince.delete(key);
    const reason = `faulted for longer than coordination.orphan_timeout (${timeoutMs} ms)`;
    logger.warn({ symbol: key, timeoutMs }, `symbol ${reason}: handing its ownership over to another instance`);
    alerts.notify({
      kind: 'ownership-lost',
      instanceId,
      exchange: owned.exchange,
      symbol: owned.symbol,
      time: new Date().toISOString(),
      message: `${instanceId} gave up ${key}: ${reason}; another instance may take it, ${instanceId} campaigns again in ${timeoutMs} ms`,
    });
    void ownership
      .handOver(owned, reason)
      .catch((error: unknown) => logger.error({ symbol: key, err: error }, 'orphaned symbol not handed over'))
      .finally(() => {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          ownership.claim(owned);
        }, timeoutMs);
        timer.unref();
        this.#timers.add(timer);
      });
  }
}
