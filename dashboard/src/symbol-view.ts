/**
 * One symbol: price chart with the lattice levels of its working orders (buys green, sells red)
 * and its fills of the last 6 h as markers; position and PnL; the slots; pause, resume, cancel orders,
 * hand over. The price line grows with every cluster update of the live stream.
 */
import {
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  LineSeries,
  LineStyle,
  type UTCTimestamp,
  createChart,
  createSeriesMarkers,
} from 'lightweight-charts';
import { type ClusterSymbol, type Fill, type GridAnswer, type Page, get, post } from './api.js';
import { badge, escape, signed, table, time } from './format.js';

const CHART = {
  layout: { background: { color: '#161c24' }, textColor: '#7d8899' },
  grid: { vertLines: { color: '#1c2430' }, horzLines: { color: '#1c2430' } },
  timeScale: { timeVisible: true, secondsVisible: true },
};

export class SymbolView {
  readonly #root: HTMLElement;
  readonly #exchange: string;
  readonly #symbol: string;
  #chart: IChartApi | undefined;
  #series: ISeriesApi<'Line'> | undefined;
  #lines: IPriceLine[] = [];
  #lastTime = 0;

  constructor(root: HTMLElement, exchange: string, symbol: string) {
    this.#root = root;
    this.#exchange = exchange;
    this.#symbol = symbol;
  }

  async open(): Promise<void> {
    this.#root.innerHTML = `
      <div class="grid2">
        <section><h2>${escape(this.#symbol)} <span class="muted">${escape(this.#exchange)}</span> <span id="symbol-state"></span></h2><div id="chart" class="chart"></div></section>
        <section><h2>Position</h2><dl id="figures" class="figures"></dl>
          <div class="actions">
            <button data-action="pause">Pause</button><button data-action="resume">Resume</button>
            <button data-action="cancel-orders" class="danger">Cancel orders</button><button data-action="hand-over">Hand over</button>
          </div><p id="action-result" class="muted"></p></section>
      </div>
      <section><h2>Grid</h2><div id="slots"></div></section>`;
    for (const button of this.#root.querySelectorAll<HTMLButtonElement>('button[data-action]'))
      button.addEventListener('click', () => void this.#act(button.dataset.action!));
    this.#chart = createChart(this.#root.querySelector<HTMLElement>('#chart')!, { ...CHART, autoSize: true });
    this.#series = this.#chart.addSeries(LineSeries, {
      color: '#4c8dff',
      lineWidth: 2,
      priceLineVisible: true,
      lastValueVisible: true,
    });
    const fills = await get<Page<Fill>>(
      `/api/fills?exchange=${encodeURIComponent(this.#exchange)}&symbol=${encodeURIComponent(this.#symbol)}&from=${Date.now() - 6 * 3600_000}&limit=1000`,
    );
    const points = new Map<number, number>();
    for (const fill of fills.items) points.set(Math.floor(fill.time / 1000), Number(fill.price));
    const data = [...points.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([t, value]) => ({ time: t as UTCTimestamp, value }));
    this.#series.setData(data);
    this.#chart.timeScale().fitContent();
    this.#lastTime = data.at(-1)?.time ?? 0;
    createSeriesMarkers(
      this.#series,
      fills.items
        .map((fill) => ({
          time: Math.floor(fill.time / 1000) as UTCTimestamp,
          position: fill.side === 'BUY' ? ('belowBar' as const) : ('aboveBar' as const),
          color: fill.side === 'BUY' ? '#26a69a' : '#ef5350',
          shape: fill.side === 'BUY' ? ('arrowUp' as const) : ('arrowDown' as const),
        }))
        .sort((a, b) => a.time - b.time),
    );
    await this.refresh();
  }

  /** Called on every cluster update: the price point, the figures, and the grid again. */
  async refresh(status?: ClusterSymbol): Promise<void> {
    const answer = await get<GridAnswer>(
      `/api/symbols/${encodeURIComponent(this.#exchange)}/${encodeURIComponent(this.#symbol)}`,
    );
    const current = status ?? answer.status;
    if (current?.price !== undefined && this.#series !== undefined) {
      const now = Math.floor(Date.now() / 1000);
      if (now > this.#lastTime) {
        this.#series.update({ time: now as UTCTimestamp, value: Number(current.price) });
        this.#lastTime = now;
      }
    }
    this.#root.querySelector('#symbol-state')!.innerHTML =
      current === undefined
        ? ''
        : `${badge(current.state)} <span class="muted">owner ${escape(current.owner ?? '(none)')}</span>`;
    this.#root.querySelector('#figures')!.innerHTML =
      current === undefined
        ? ''
        : [
            ['price', escape(current.price ?? '–')],
            ['position', escape(current.position)],
            ['avg entry', escape(current.averageEntryPrice ?? '–')],
            ['working orders', String(current.workingOrders)],
            ['realized PnL', signed(current.realizedPnl)],
            ['unrealized PnL', signed(current.unrealizedPnl)],
            ['fees', escape(current.fees ?? '–')],
            ['trades', String(current.tradeCount)],
          ]
            .map(([name, value]) => `<dt>${name}</dt><dd>${value}</dd>`)
            .join('');
    const grid = answer.grid;
    if (grid === undefined) return;
    for (const line of this.#lines) this.#series?.removePriceLine(line);
    // The lattice as the venue sees it: each working order's price, buys green and sells red.
    this.#lines = grid.slots
      .filter((slot) => slot.order?.price !== undefined)
      .map((slot) =>
        this.#series!.createPriceLine({
          price: Number(slot.order!.price),
          color: slot.order!.side === 'SELL' ? '#ef5350' : '#26a69a',
          lineWidth: 1,
          lineStyle: LineStyle.Dashed,
          axisLabelVisible: false,
          title: '',
        }),
      );
    this.#root.querySelector('#slots')!.innerHTML =
      `<p class="muted">anchor ${escape(grid.anchor)} · interval ${escape(grid.interval)}${grid.paused ? ` · <span class="notice">paused: ${escape(grid.pausedReason ?? '')}</span>` : ''}</p>` +
      table(
        ['level', 'price', 'slot', 'cycle', 'position', 'entry', 'order', 'side', 'order price', 'quantity', 'status'],
        grid.slots.map((slot) => [
          String(slot.level),
          escape(slot.price),
          badge(slot.state === 'FILLED' ? 'holding' : 'empty'),
          String(slot.cycle),
          escape(slot.position),
          escape(slot.entryPrice),
          escape(slot.order?.clientOrderId ?? '–'),
          slot.order === undefined ? '' : `<span class="${escape(slot.order.side)}">${escape(slot.order.side)}</span>`,
          escape(slot.order?.price ?? ''),
          escape(slot.order?.quantity ?? ''),
          escape(slot.order?.status ?? ''),
        ]),
        [0, 1, 3, 4, 5, 8, 9],
      );
  }

  close(): void {
    this.#chart?.remove();
  }

  async #act(action: string): Promise<void> {
    const result = this.#root.querySelector('#action-result')!;
    result.textContent = `${action}…`;
    try {
      const answer = await post(
        `/api/symbols/${encodeURIComponent(this.#exchange)}/${encodeURIComponent(this.#symbol)}/${action}`,
      );
      result.textContent = `${action}: done by ${String(answer.instanceId)} at ${time(Date.now())}`;
      await this.refresh();
    } catch (error) {
      result.textContent = `${action}: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}
