/**
 * Every degradation an instance can see from outside the engine, alerted once when it begins and
 * once when it ends (issue 14 items 5 and 6), checked every `intervalMs`:
 *  - a symbol faulted or paused → `symbol-faulted` (with its cause), back to trading → `symbol-recovered`;
 *  - the database failing `DATABASE_FAILED_CHECKS` pings in a row → `database-unavailable`, answering
 *    again → `database-recovered`;
 *  - the write-behind spool at or above half of `storage.max_spool_bytes` → `spool-high`; it is
 *    raised again only after the spool fell below a quarter (no flapping at the threshold);
 *  - a venue account's rate budget kept in the shared database, or nowhere → `rate-budget-degraded`
 *    (again when it moves from one to the other), back in its lock backend → `rate-budget-recovered`.
 * The notifier rate-limits per kind and symbol on top of this.
 */
import type { Logger } from 'pino';
import type { SymbolStatus } from '../engine/symbol-summary.js';
import type { AlertKind } from '../observability/alert-kinds.js';
import type { AlertNotifier } from '../observability/alert-notifier.js';
import { type RateBudgetCondition, describeRateBudget } from '../observability/rate-budget-health.js';
import { describeProblem, symbolProblems } from '../observability/symbol-health.js';

/** One slow ping is not an outage: two in a row (about two check intervals) are. */
export const DATABASE_FAILED_CHECKS = 2;

export interface DegradationAlertsOptions {
  readonly instanceId: string;
  readonly alerts: AlertNotifier;
  readonly logger: Logger;
  readonly symbols: () => readonly SymbolStatus[];
  readonly database: { ping(signal?: AbortSignal): Promise<void> };
  /** The spool's depth, when storage spools (a shared database); and its size limit. */
  readonly spool?: { depth: () => { bytes: number }; maxBytes: number } | undefined;
  /** Each venue account's rate budget and where it is kept (observability/rate-budget-health.ts). */
  readonly rateBudgets?: (() => readonly RateBudgetCondition[]) | undefined;
  readonly intervalMs?: number | undefined;
  /** Each answered ping: grids holding placements for an outage resume at once (engine/execution/intent-gate.ts). */
  readonly onDatabaseAnswered?: (() => void) | undefined;
}

export class DegradationAlerts {
  readonly #options: DegradationAlertsOptions;
  /** Symbols alerted as faulted and not yet recovered, by `exchange:symbol`. */
  readonly #faulted = new Set<string>();
  #failedPings = 0;
  #databaseDown = false;
  #spoolHigh = false;
  /** Where each degraded budget was last alerted as kept, by exchange. */
  readonly #budgetsDegraded = new Map<string, RateBudgetCondition['keptIn']>();
  #timer: NodeJS.Timeout | undefined;
  #checking: Promise<void> | undefined;

  constructor(options: DegradationAlertsOptions) {
    this.#options = options;
  }

  start(): void {
    const intervalMs = this.#options.intervalMs ?? 1000;
    this.#timer = setInterval(() => {
      this.#checking ??= this.check().finally(() => {
        this.#checking = undefined;
      });
    }, intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#checking;
  }

  /** One round of checks (what the timer runs). */
  async check(): Promise<void> {
    this.#checkSymbols();
    this.#checkSpool();
    this.#checkRateBudgets();
    await this.#checkDatabase();
  }

  #checkSymbols(): void {
    const statuses = this.#options.symbols();
    const problems = new Map(
      symbolProblems(statuses).map((problem) => [`${problem.exchange}:${problem.symbol}`, problem]),
    );
    for (const [key, problem] of problems) {
      if (this.#faulted.has(key)) continue;
      this.#faulted.add(key);
      this.#raise(
        'symbol-faulted',
        `${describeProblem(problem)}; no new orders for it on ${this.#options.instanceId}`,
        problem,
      );
    }
    for (const key of [...this.#faulted]) {
      const status = statuses.find((entry) => `${entry.exchange}:${entry.symbol}` === key);
      // A runner starting again after a fault has not recovered until its start succeeds: each retry
      // against a cause still there passed through `starting` and was alerted as recovered.
      if (problems.has(key) || status?.state === 'starting') continue;
      this.#faulted.delete(key);
      this.#raise(
        'symbol-recovered',
        `${key} is ${status?.state ?? 'gone'} again on ${this.#options.instanceId}`,
        status,
      );
    }
  }

  #checkSpool(): void {
    const spool = this.#options.spool;
    if (spool === undefined) return;
    const { bytes } = spool.depth();
    if (!this.#spoolHigh && bytes >= spool.maxBytes / 2) {
      this.#spoolHigh = true;
      this.#raise(
        'spool-high',
        `the write-behind spool holds ${bytes} bytes, ${Math.round((100 * bytes) / spool.maxBytes)}% of storage.max_spool_bytes (${spool.maxBytes}); writes are refused when it is full`,
      );
    } else if (this.#spoolHigh && bytes < spool.maxBytes / 4) {
      this.#spoolHigh = false;
    }
  }

  #checkRateBudgets(): void {
    for (const condition of this.#options.rateBudgets?.() ?? []) {
      const alerted = this.#budgetsDegraded.get(condition.exchange);
      if (condition.keptIn === 'store') {
        if (alerted === undefined) continue;
        this.#budgetsDegraded.delete(condition.exchange);
        this.#raise(
          'rate-budget-recovered',
          `${condition.exchange}: the rate budget is kept in ${condition.store} again on ${this.#options.instanceId}`,
          { exchange: condition.exchange },
        );
      } else if (alerted !== condition.keptIn) {
        this.#budgetsDegraded.set(condition.exchange, condition.keptIn);
        this.#raise('rate-budget-degraded', `${describeRateBudget(condition)} on ${this.#options.instanceId}`, {
          exchange: condition.exchange,
        });
      }
    }
  }

  async #checkDatabase(): Promise<void> {
    try {
      await this.#options.database.ping(AbortSignal.timeout(Math.max(500, this.#options.intervalMs ?? 1000)));
      this.#failedPings = 0;
      this.#options.onDatabaseAnswered?.();
      if (!this.#databaseDown) return;
      this.#databaseDown = false;
      this.#raise('database-recovered', `the database answers again on ${this.#options.instanceId}`);
    } catch (error) {
      this.#failedPings += 1;
      if (this.#databaseDown || this.#failedPings < DATABASE_FAILED_CHECKS) return;
      this.#databaseDown = true;
      const cause = error instanceof Error ? error.message : String(error);
      this.#raise(
        'database-unavailable',
        `the database does not answer ${this.#options.instanceId} (${cause}); records are spooled, no new order intent can be recorded`,
      );
    }
  }

  #raise(kind: AlertKind, message: string, about?: { exchange: string; symbol?: string } | undefined): void {
    this.#options.alerts.notify({
      kind,
      instanceId: this.#options.instanceId,
      exchange: about?.exchange,
      symbol: about?.symbol,
      time: new Date().toISOString(),
      message,
    });
  }
}
