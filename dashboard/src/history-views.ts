/** Trades with the equity curve (cumulative realized PnL, net of fees), and the events and alerts of the last day. */
import { LineSeries, type UTCTimestamp, createChart } from 'lightweight-charts';
import { type EventRecord, type Page, type Trade, get } from './api.js';
import { badge, escape, signed, table, time } from './format.js';

const DAY_MS = 24 * 3600_000;

export async function renderTrades(root: HTMLElement): Promise<void> {
  const trades = (await get<Page<Trade>>(`/api/trades?from=${Date.now() - 7 * DAY_MS}&limit=1000`)).items;
  root.innerHTML = `<section><h2>Equity (realized PnL net of fees, last 7 days)</h2><div id="equity" class="chart"></div></section>
    <section><h2>Trades</h2>${table(
      ['closed', 'symbol', 'level', 'quantity', 'buy', 'sell', 'fees', 'realized PnL'],
      trades
        .slice(-200)
        .reverse()
        .map((trade) => [
          time(trade.closedAt),
          escape(trade.symbol),
          String(trade.level),
          escape(trade.quantity),
          escape(trade.buyPrice),
          escape(trade.sellPrice),
          escape(trade.fees),
          signed(trade.realizedPnl),
        ]),
      [2, 3, 4, 5, 6, 7],
    )}</section>`;
  const chart = createChart(root.querySelector<HTMLElement>('#equity')!, {
    autoSize: true,
    layout: { background: { color: '#161c24' }, textColor: '#7d8899' },
    grid: { vertLines: { color: '#1c2430' }, horzLines: { color: '#1c2430' } },
    timeScale: { timeVisible: true },
  });
  const series = chart.addSeries(LineSeries, { color: '#26a69a', lineWidth: 2 });
  // Binary floats only to draw the curve; the table shows the exact figures.
  let equity = 0;
  const points = new Map<number, number>();
  for (const trade of trades) {
    equity += Number(trade.realizedPnl);
    points.set(Math.floor(trade.closedAt / 1000), equity);
  }
  series.setData(
    [...points.entries()].sort((a, b) => a[0] - b[0]).map(([t, value]) => ({ time: t as UTCTimestamp, value })),
  );
  chart.timeScale().fitContent();
}

const ALERTS = new Set(['ownership.lost', 'risk.triggered', 'grid.paused', 'order.unknown']);

export async function renderEvents(root: HTMLElement): Promise<void> {
  const events = (await get<Page<EventRecord>>(`/api/events?from=${Date.now() - DAY_MS}&limit=1000`)).items
    .slice(-300)
    .reverse();
  const alerts = events.filter((event) => ALERTS.has(event.type));
  const rows = (list: EventRecord[]) =>
    list.map((event) => [
      time(event.time),
      badge(event.type),
      escape(event.instanceId),
      escape(event.symbol ?? '–'),
      `<span class="muted">${escape(JSON.stringify(event.details))}</span>`,
    ]);
  root.innerHTML = `<section><h2>Alerts (last 24 h)</h2>${table(['time', 'type', 'instance', 'symbol', 'details'], rows(alerts))}</section>
    <section><h2>Events (last 24 h)</h2>${table(['time', 'type', 'instance', 'symbol', 'details'], rows(events))}</section>`;
}
