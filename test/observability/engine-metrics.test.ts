/** The per-symbol gauges (R9) show the engines' status when scraped, and forget symbols that are gone. */
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import type { SymbolStatus } from '../../src/engine/symbol-summary.js';
import { EngineMetrics } from '../../src/observability/engine-metrics.js';

const btc: SymbolStatus = {
  exchange: 'sim',
  symbol: 'BTCUSDT',
  state: 'paused',
  position: '0.0012',
  workingOrders: 7,
  realizedPnl: '1.25',
  fees: '0.04',
  tradeCount: 3,
  ownership: 'owned',
};

it('per-symbol gauges (ownership included) are read from the statuses at scrape time', async () => {
  const registry = new Registry();
  const metrics = new EngineMetrics(registry);
  let summaries: SymbolStatus[] = [btc, { ...btc, symbol: 'ETHUSDT', ownership: 'lost' }];
  metrics.observe(() => summaries);
  const text = await registry.metrics();
  expect(text).toContain('quantmesh_position_base{exchange="sim",symbol="BTCUSDT"} 0.0012');
  expect(text).toContain('quantmesh_working_orders{exchange="sim",symbol="BTCUSDT"} 7');
  expect(text).toContain('quantmesh_realized_pnl{exchange="sim",symbol="BTCUSDT"} 1.25');
  expect(text).toContain('quantmesh_realized_fees{exchange="sim",symbol="BTCUSDT"} 0.04');
  expect(text).toContain('quantmesh_stored_trades{exchange="sim",symbol="BTCUSDT"} 3');
  expect(text).toContain('quantmesh_symbol_paused{exchange="sim",symbol="BTCUSDT"} 1');
  expect(text).toContain('quantmesh_symbol_owned{exchange="sim",symbol="BTCUSDT"} 1');
  expect(text).toContain('quantmesh_symbol_owned{exchange="sim",symbol="ETHUSDT"} 0');
  summaries = [];
  expect(await registry.metrics()).not.toContain('symbol="BTCUSDT"');
});
