/**
 * What the spot user-data stream of an account carries for one execution: `executionReport`, then
 * `outboundAccountPosition` with the balances of the pair's assets after a fill. (Futures events
 * are built by SimVenueStreams: ORDER_TRADE_UPDATE, ALGO_UPDATE, ACCOUNT_UPDATE.)
 */
import type { Fill } from '../../domain/fill.js';
import type { OrderReport } from '../exchange.js';
import type { SimMatchingEngine } from '../sim/sim-matching-engine.js';
import { executionReportPayload, outboundAccountPositionPayload } from './binance-spot-payloads.js';

export function spotUserStreamEvents(
  engine: SimMatchingEngine,
  accountId: string,
  order: OrderReport,
  fill: Fill | undefined,
): object[] {
  const market = engine.market(order.symbol);
  const now = engine.now();
  const events = [executionReportPayload(order, fill, now)];
  if (fill !== undefined) {
    const changed = engine
      .balances(accountId)
      .filter((balance) => balance.asset === market.base || balance.asset === market.quote);
    events.push(outboundAccountPositionPayload(changed, now));
  }
  return events;
}
