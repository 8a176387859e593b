/**
 * A runner's checks against the venue (after NautilusTrader's reconciliation: orders, fills and
 * positions): at start, takeover, every stream reconnect and every `reconcile_interval`. Unseen
 * fills are applied once from the venue's cursor (Invariant 2), the open orders are reported so the
 * grid adopts, repairs or looks up each, and the venue's position is reported when it did not move
 * meanwhile (Invariant 3). The start path also moves the slots past the recorded intents and checks
 * the account. Every method runs inside the runner's queue.
 */
import type { Logger } from 'pino';
import { type Decimal, ZERO } from '../../domain/decimal.js';
import type { Fill } from '../../domain/fill.js';
import type { Exchange } from '../../exchange/exchange.js';
import type { EngineMetrics } from '../../observability/engine-metrics.js';
import { WarningRateLimit } from '../../observability/warning-rate-limit.js';
import type { Database, WriteFence } from '../../storage/database.js';
import type { EventRecord } from '../../storage/records.js';
import type { GridEvent } from '../../strategy/grid/grid-event.js';
import type { GridState } from '../../strategy/grid/grid-state.js';
import { toVenueOrder } from '../execution/venue-events.js';
import type { FillOutcome } from '../grid-decisions.js';
import type { DecisionRecords } from '../persistence/decision-store.js';
import { fencedWrite } from '../persistence/decision-store.js';
import { advancePastRecordedIntents, persistGrid } from '../persistence/grid-loader.js';
import { reportRecord } from '../persistence/order-records.js';
import { recoverFills } from './fill-recovery.js';
import { driftAdjustment, venuePosition } from './venue-position.js';

export type ReconcileReason = 'start' | 'periodic' | 'reconnect';

export interface ReconcilerOptions {
  readonly exchange: Exchange;
  readonly database: Database;
  readonly symbol: string;
  readonly clock: () => number;
  readonly logger: Logger;
  readonly metrics?: EngineMetrics | undefined;
  readonly grid: () => GridState | undefined;
  /** Moves the runner's grid to a state already stored (the slots moved past recorded intents). */
  readonly replaceGrid: (state: GridState) => void;
  readonly apply: (event: GridEvent, stored?: DecisionRecords) => Promise<boolean>;
  readonly applyFill: (fill: Fill) => Promise<FillOutcome>;
  readonly ended: () => boolean;
  /** The owner's fence the runner's writes are stored under (Tx.holdFence). */
  readonly fence: () => WriteFence | undefined;
}

export class Reconciler {
  readonly #options: ReconcilerOptions;
  /** The venue's position at the last conclusive check, for an operator resume to accept. */
  #lastVenuePosition: Decimal | undefined;
  /** A drift an operator accepted by resuming: the venue's position is compared net of it. */
  #acceptedDrift: Decimal = ZERO;
  /** A dependency that stays down fails every reconciliation: one warning per reason per 30 s (counted). */
  readonly #warnings: WarningRateLimit;

  constructor(options: ReconcilerOptions) {
    this.#options = options;
    this.#warnings = new WarningRateLimit(options.logger);
  }

  /** Rejects only at start (the runner must not trade unreconciled); later failures are logged and counted. */
  async reconcile(reason: ReconcileReason): Promise<void> {
    const { exchange, database, symbol, clock, metrics, grid, apply, ended } = this.#options;
    const labels = { exchange: exchange.name, symbol };
    try {
      const positionBefore = await venuePosition(exchange, symbol);
      const applied = await this.recoverFills();
      const open = await exchange.openOrders(symbol);
      if (ended()) return;
      for (const order of open) await database.saveOrder(reportRecord(exchange.name, order, grid()?.idFormat));
      await apply(
        { type: 'OpenOrdersReported', time: clock(), orders: open.map(toVenueOrder) },
        { reconciliation: { reason, fillsApplied: applied } },
      );
      // Conclusive only when no fill moved the venue's position while the fills were recovered.
      const positionAfter = await venuePosition(exchange, symbol);
      if (positionBefore !== undefined && positionAfter?.eq(positionBefore) === true) {
        this.#lastVenuePosition = positionAfter;
        await apply({ type: 'VenuePositionReported', time: clock(), quantity: positionAfter.sub(this.#acceptedDrift) });
      }
      metrics?.reconciliations.inc({ ...labels, result: applied > 0 ? 'repaired' : 'clean' });
    } catch (error) {
      metrics?.reconciliations.inc({ ...labels, result: 'failed' });
      this.#warnings.warn(reason, { symbol, reason, err: error }, 'reconciliation failed');
      if (reason === 'start') throw error;
    }
  }

  recoverFills(): Promise<number> {
    return recoverFills(this.#options);
  }

  /** The adjustment event of an operator resume that accepts a position drift (none otherwise); later checks are net of it. */
  acceptDrift(base: Omit<EventRecord, 'type' | 'details'>): EventRecord[] {
    const accepted = driftAdjustment(this.#options.grid(), this.#lastVenuePosition, base);
    if (accepted === undefined) return [];
    this.#acceptedDrift = accepted.adjustment;
    return [accepted.event];
  }

  /** After the start reconciliation (which adopts by the stored cycles): no id of an earlier owner is built again. */
  async advanceCycles(): Promise<void> {
    const { database, clock, logger, symbol, grid, replaceGrid, ended } = this.#options;
    const state = grid();
    if (state === undefined || ended()) return;
    const advanced = await advancePastRecordedIntents(database, state, clock());
    if (advanced.levels.length === 0 || ended()) return;
    await fencedWrite(database, this.#options.fence(), (tx) => persistGrid(tx, advanced.state, false, advanced.levels));
    replaceGrid(advanced.state);
    logger.info({ symbol, levels: advanced.levels }, 'slots moved past the cycles of recorded intents');
  }

  /** The quote balance and leverage the grid sizes its orders against. */
  async checkAccount(): Promise<void> {
    const { exchange, symbol, clock, grid, apply } = this.#options;
    const balances = await exchange.balances();
    const positions = exchange.capabilities.positions ? await exchange.positions([symbol]) : [];
    const available = balances.find((balance) => balance.asset === grid()!.market.quote)?.free ?? ZERO;
    const leverage = positions.find((position) => position.symbol === symbol)?.leverage ?? 1;
    await apply({ type: 'AccountChecked', time: clock(), availableBalance: available, leverage });
  }
}
