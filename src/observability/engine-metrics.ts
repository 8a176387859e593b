/**
 * What an operator of a trading system watches (R9), beside the lock metrics of
 * `coordination/lock/metered-lock.ts` and the spool's: orders by outcome, fills, trades, and per
 * symbol the realized PnL, position, working orders, state (faulted, paused, …) and ownership (R1, R10: which
 * instance trades it, and how often that changed). Labels are bounded (venue, symbol, outcome),
 * never client order ids or keys. The per-symbol gauges are read from the instance's symbol
 * statuses when scraped, so the trading path does not maintain them.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import { SYMBOL_STATES } from './symbol-health.js';

/**
 * What the per-symbol gauges read of one symbol: the fields of the engine's symbol status they
 * need, declared here so observability does not import up from the engine (the status fits it).
 */
export interface SymbolReading {
  readonly exchange: string;
  readonly symbol: string;
  /** `paused` while the symbol is paused. */
  readonly state: string;
  readonly position: string;
  readonly workingOrders: number;
  readonly realizedPnl: string;
  /** Fees (both legs) and count of the stored trades. */
  readonly fees: string;
  readonly tradeCount: number;
  /** `owned` while this instance trades the symbol. */
  readonly ownership: string;
}

type SymbolLabels = 'exchange' | 'symbol';

export class EngineMetrics {
  readonly ordersPlaced: Counter<SymbolLabels | 'side' | 'outcome'>;
  readonly ordersCanceled: Counter<SymbolLabels | 'reason'>;
  readonly fills: Counter<SymbolLabels | 'side'>;
  readonly trades: Counter<SymbolLabels>;
  readonly reconciliations: Counter<SymbolLabels | 'result'>;
  /** Ownership won or lost here (`change`: won, lost). */
  readonly ownershipChanges: Counter<SymbolLabels | 'change'>;
  #summaries: () => readonly SymbolReading[] = () => [];

  constructor(registry: Registry) {
    const registers = [registry];
    this.ordersPlaced = new Counter({
      name: 'quantmesh_orders_placed_total',
      help: 'Order placements by outcome (accepted, rejected, skipped, unknown)',
      labelNames: ['exchange', 'symbol', 'side', 'outcome'],
      registers,
    });
    this.ordersCanceled = new Counter({
      name: 'quantmesh_orders_canceled_total',
      help: 'Cancel requests by reason',
      labelNames: ['exchange', 'symbol', 'reason'],
      registers,
    });
    this.fills = new Counter({
      name: 'quantmesh_fills_total',
      help: 'Fills applied to the grid',
      labelNames: ['exchange', 'symbol', 'side'],
      registers,
    });
    this.trades = new Counter({
      name: 'quantmesh_trades_total',
      help: 'Round trips booked',
      labelNames: ['exchange', 'symbol'],
      registers,
    });
    this.reconciliations = new Counter({
      name: 'quantmesh_reconciliations_total',
      help: 'Reconciliation checks by result (clean, repaired, failed)',
      labelNames: ['exchange', 'symbol', 'result'],
      registers,
    });
    this.ownershipChanges = new Counter({
      name: 'quantmesh_symbol_ownership_changes_total',
      help: 'Symbol ownership won, lost or handed over (dynamic allocation) by this instance',
      labelNames: ['exchange', 'symbol', 'change'],
      registers,
    });
    const summaries = () => this.#summaries();
    symbolGauge(
      registry,
      'quantmesh_realized_pnl',
      'Realized PnL net of fees of the stored trades, quote currency',
      summaries,
      (s) => Number(s.realizedPnl),
    );
    symbolGauge(
      registry,
      'quantmesh_realized_fees',
      'Fees (both legs) of the stored trades, quote currency',
      summaries,
      (s) => Number(s.fees),
    );
    symbolGauge(
      registry,
      'quantmesh_stored_trades',
      'Round trips stored for the symbol',
      summaries,
      (s) => s.tradeCount,
    );
    symbolGauge(registry, 'quantmesh_position_base', 'Grid position, base quantity', summaries, (s) =>
      Number(s.position),
    );
    symbolGauge(registry, 'quantmesh_working_orders', 'Orders working at the venue', summaries, (s) => s.workingOrders);
    symbolGauge(registry, 'quantmesh_symbol_paused', '1 while the symbol is paused', summaries, (s) =>
      s.state === 'paused' ? 1 : 0,
    );
    new Gauge({
      name: 'quantmesh_symbol_state',
      help: "The symbol's state here: 1 for the state it is in, 0 for the others (faulted and paused place no new orders)",
      labelNames: ['exchange', 'symbol', 'state'],
      registers: [registry],
      collect() {
        this.reset();
        for (const summary of summaries()) {
          for (const state of SYMBOL_STATES)
            this.set({ exchange: summary.exchange, symbol: summary.symbol, state }, summary.state === state ? 1 : 0);
        }
      },
    });
    symbolGauge(
      registry,
      'quantmesh_symbol_owned',
      '1 while this instance owns the symbol (trades it), 0 otherwise',
      summaries,
      (s) => (s.ownership === 'owned' ? 1 : 0),
    );
  }

  /** Where the per-symbol gauges read from (the instance's symbol statuses). */
  observe(summaries: () => readonly SymbolReading[]): void {
    this.#summaries = summaries;
  }
}

function symbolGauge(
  registry: Registry,
  name: string,
  help: string,
  summaries: () => readonly SymbolReading[],
  value: (summary: SymbolReading) => number,
): void {
  new Gauge({
    name,
    help,
    labelNames: ['exchange', 'symbol'],
    registers: [registry],
    collect() {
      this.reset();
      for (const summary of summaries())
        this.set({ exchange: summary.exchange, symbol: summary.symbol }, value(summary));
    },
  });
}
