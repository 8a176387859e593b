/**
 * What an operator of a trading system watches (R9), beside the lock metrics of
 * `coordination/lock/metered-lock.ts`: orders by outcome, fills, realized PnL, positions, working
 * orders, reconciliation drift and the write-behind spool. Labels are bounded (venue, symbol,
 * outcome), never client order ids or keys.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class EngineMetrics {
  readonly ordersPlaced: Counter<'exchange' | 'symbol' | 'side' | 'outcome'>;
  readonly ordersCanceled: Counter<'exchange' | 'symbol' | 'reason'>;
  readonly fills: Counter<'exchange' | 'symbol' | 'side'>;
  readonly trades: Counter<'exchange' | 'symbol'>;
  readonly realizedPnl: Gauge<'exchange' | 'symbol'>;
  readonly position: Gauge<'exchange' | 'symbol'>;
  readonly workingOrders: Gauge<'exchange' | 'symbol'>;
  readonly paused: Gauge<'exchange' | 'symbol'>;
  readonly reconciliations: Counter<'exchange' | 'symbol' | 'result'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ordersPlaced = new Counter({ name: 'quantmesh_orders_placed_total', help: 'Order placements by outcome (accepted, rejected, skipped, unknown)', labelNames: ['exchange', 'symbol', 'side', 'outcome'], registers });
    this.ordersCanceled = new Counter({ name: 'quantmesh_orders_canceled_total', help: 'Cancel requests by reason', labelNames: ['exchange', 'symbol', 'reason'], registers });
    this.fills = new Counter({ name: 'quantmesh_fills_total', help: 'Fills applied to the grid', labelNames: ['exchange', 'symbol', 'side'], registers });
    this.trades = new Counter({ name: 'quantmesh_trades_total', help: 'Round trips booked', labelNames: ['exchange', 'symbol'], registers });
    this.realizedPnl = new Gauge({ name: 'quantmesh_realized_pnl', help: 'Realized PnL net of fees since start, quote currency', labelNames: ['exchange', 'symbol'], registers });
    this.position = new Gauge({ name: 'quantmesh_position_base', help: 'Grid position, base quantity', labelNames: ['exchange', 'symbol'], registers });
    this.workingOrders = new Gauge({ name: 'quantmesh_working_orders', help: 'Orders working at the venue', labelNames: ['exchange', 'symbol'], registers });
    this.paused = new Gauge({ name: 'quantmesh_symbol_paused', help: '1 while the symbol is paused', labelNames: ['exchange', 'symbol'], registers });
    this.reconciliations = new Counter({ name: 'quantmesh_reconciliations_total', help: 'Reconciliation checks by result (clean, repaired, failed)', labelNames: ['exchange', 'symbol', 'result'], registers });
  }
}
