/**
 * `npm run bench:cluster`: a QuantMesh cluster on one host (test/app/cluster-fixture.ts: QuantMesh
 * child processes sharing a fresh PostgreSQL database, dynamic allocation with membership and
 * ownership leases in an etcd of the bench's own, one sim venue through the ccxt adapter).
 *
 * Takeover (issue 13 item 6, goal ≤ lease TTL + 1 s): 5 instances trade 20 symbols; one is killed
 * with SIGKILL, and the bench measures from the kill to each of its symbols (a) owned and trading
 * again on a survivor (`/api/status`: owned, then running with working orders; polled every 200 ms)
 * and (b) its first order accepted by the venue after the kill (the venue's own record; nothing the
 * dead process sent can arrive later than a few ms after its death, so acceptances in the first
 * 250 ms are not counted). Each round kills one more instance.
 *
 * Throughput (the design's "性能 3倍"): orders per second the venue accepts from a cluster of 1, 2 and
 * 3 active instances sharing 12 symbols whose prices keep every grid filling and re-placing, with
 * the venue's and the instances' shared order-rate limits raised out of the way, beside the CPU of
 * each instance and of the whole machine over the same window (what limits it).
 */
import { simSymbolsNamed } from '../src/exchange/sim/sim-settings.js';
import { type Cluster, type ClusterNode, startCluster } from '../test/app/cluster-fixture.js';
import { type TeardownSteps, runTeardown } from '../test/harness/teardown.js';
import { until } from '../test/harness/until.js';
import { cpuSeconds, machineCpuTicks, uptime } from './proc-stats.js';

const LEASE_TTL_MS = 3000;
const TAKEOVER_GOAL_MS = LEASE_TTL_MS + 1000;
const ROUNDS = Number(process.env.QM_BENCH_ROUNDS ?? '3');
const THROUGHPUT_WINDOW_S = Number(process.env.QM_BENCH_WINDOW_S ?? '30');
const POLL_MS = 200;
/** Acceptances this soon after the kill may still be the dead instance's requests in flight. */
const IN_FLIGHT_MS = 250;
const UNLIMITED = 1_000_000_000;
/**
 * The venue's limits and the instances' shared budget raised out of the way: five instances behind
 * one IP overrun Binance's 2,400 weight a minute (a first run was told to wait 117 s), and the bench
 * measures takeover and placement, not the budget (bench:rate-budget does).
 */
const LIMITS_RAISED = {
  venue: { limits: { weightPerMinute: UNLIMITED, ordersPer10Seconds: UNLIMITED, ordersPerMinute: UNLIMITED } },
  exchangeYaml: `    rate_limits:\n      weight_per_minute: ${UNLIMITED}\n      orders_per_10s: ${UNLIMITED}\n      orders_per_minute: ${UNLIMITED}\n`,
};

const names = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, index) => `${prefix}${String(index + 1).padStart(2, '0')}USDT`);

/** Wall time (epoch ms) of every order the venue accepted, per symbol. */
function acceptances(cluster: Cluster): Map<string, number[]> {
  const bySymbol = new Map<string, number[]>();
  cluster.venue.engine.subscribe({
    onExecution(_account, order, fill) {
      if (order.status !== 'NEW' || fill !== undefined) return;
      const times = bySymbol.get(order.symbol) ?? [];
      times.push(Date.now());
      bySymbol.set(order.symbol, times);
    },
  });
  return bySymbol;
}

const percentile = (values: readonly number[], share: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))]!;

async function everySymbolTrading(nodes: readonly ClusterNode[], symbols: readonly string[]): Promise<boolean> {
  const trading = (await Promise.all(nodes.map((node) => node.trading()))).flat().sort();
  return trading.join() === [...symbols].sort().join();
}

/**
 * Dynamic allocation over etcd, limits raised, every symbol's price moving about a quarter of the
 * 0.2 interval per 25 ms venue step: grids fill and re-place several times a second each (faster
 * prices make most post-only buys cross before they land, refused).
 */
function startBenchCluster(
  spec: { name: string; symbols: readonly string[]; nodes: readonly string[] },
  window: string,
  teardown: TeardownSteps,
): Promise<Cluster> {
  return startCluster(
    {
      name: spec.name,
      lock: 'etcd',
      allocation: 'dynamic',
      leaseTtlMs: LEASE_TTL_MS,
      symbols: simSymbolsNamed(spec.symbols).map((symbol) => ({ ...symbol, volatility: 3 })),
      grid: () => `price_interval: "0.2", ${window}, reconcile_interval: 30s`,
      nodes: spec.nodes.map((id) => ({ id: `${spec.name}-${id}` })),
      ...LIMITS_RAISED,
    },
    teardown,
  );
}

async function benchTakeover(teardown: TeardownSteps): Promise<void> {
  const symbols = names('T', 20);
  const cluster = await startBenchCluster(
    { name: 'bench-takeover', symbols, nodes: ['a', 'b', 'c', 'd', 'e'] },
    'order_quantity: "20", buy_window_size: 3, sell_window_size: 3',
    teardown,
  );
  const accepted = acceptances(cluster);
  await Promise.all(cluster.nodes.map((node) => node.start()));
  await until(() => everySymbolTrading(cluster.nodes, symbols), 'all 20 symbols trading on the 5 instances', 120_000);
  const owned: number[] = [];
  const trading: number[] = [];
  const ordering: number[] = [];
  let noNewOrder = 0;
  // Each round kills one more instance (5 → 4 → 3 …): restarting the victim under tsx takes minutes
  // on the loaded machine, which would put the bench far past its time budget.
  for (let round = 0; round < ROUNDS; round += 1) {
    const victim = cluster.nodes[round]!;
    const survivors = cluster.nodes.slice(round + 1);
    const theirs = await victim.owned();
    await victim.kill();
    const killedAt = Date.now();
    const ownedAt = new Map<string, number>();
    const tradingAt = new Map<string, number>();
    await until(
      async () => {
        const statuses = await Promise.all(survivors.map((node) => node.status()));
        const now = Date.now();
        for (const symbol of statuses.flatMap((status) => status.symbols)) {
          if (!theirs.includes(symbol.symbol) || symbol.ownership !== 'owned') continue;
          if (!ownedAt.has(symbol.symbol)) ownedAt.set(symbol.symbol, now);
          if (symbol.state === 'running' && symbol.workingOrders > 0 && !tradingAt.has(symbol.symbol))
            tradingAt.set(symbol.symbol, now);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        return tradingAt.size === theirs.length;
      },
      `the survivors trading ${theirs.join(', ')}`,
      120_000,
    );
    const since = (times: ReadonlyMap<string, number>) => theirs.map((symbol) => times.get(symbol)! - killedAt);
    // The venue figure: first acceptance after the kill, for the symbols that got one within 10 s of trading again.
    const lastTrading = Math.max(...tradingAt.values());
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, lastTrading + 10_000 - Date.now())));
    const roundOrdering = theirs.flatMap((symbol) => {
      const first = (accepted.get(symbol) ?? []).find((time) => time >= killedAt + IN_FLIGHT_MS);
      return first === undefined || first > tradingAt.get(symbol)! + 10_000 ? [] : [first - killedAt];
    });
    noNewOrder += theirs.length - roundOrdering.length;
    owned.push(...since(ownedAt));
    trading.push(...since(tradingAt));
    ordering.push(...roundOrdering);
    const seconds = (values: readonly number[]) => values.map((ms) => (ms / 1000).toFixed(1)).join(' ');
    console.log(
      `round ${round + 1}: killed ${victim.id} (of ${survivors.length + 1}) owning ${theirs.join(' ')}: owned again after ${seconds(since(ownedAt))} s, trading ${seconds(since(tradingAt))} s, first new order ${seconds(roundOrdering)} s`,
    );
  }
  const row = (name: string, values: readonly number[]) =>
    console.log(
      `${name.padEnd(46)} p50 ${(percentile(values, 0.5) / 1000).toFixed(2)} s  max ${(Math.max(...values) / 1000).toFixed(2)} s  (${values.length} symbols)  goal ≤ lease TTL + 1 s = ${TAKEOVER_GOAL_MS / 1000} s: ${Math.max(...values) <= TAKEOVER_GOAL_MS ? 'met' : 'NOT met'}`,
    );
  console.log(
    `## takeover: 5 instances, 20 symbols, lease TTL ${LEASE_TTL_MS / 1000} s, ${ROUNDS} rounds, load ${uptime()}`,
  );
  row('kill → symbol owned by a survivor', owned);
  row('kill → owned, running, working orders', trading);
  row('kill → first new order accepted by the venue', ordering);
  console.log(`   (symbols with no new order within 10 s of trading again, not in the venue row: ${noNewOrder})`);
}

interface ThroughputFigure {
  readonly instances: number;
  readonly ordersPerSecond: number;
  /** CPU seconds per wall second of each active instance. */
  readonly instanceCpu: number[];
  /** Busy share of the machine's cores over the window (all processes, every session's). */
  readonly machineBusy: number;
}

async function benchThroughput(teardown: TeardownSteps): Promise<ThroughputFigure[]> {
  const symbols = names('R', 12);
  const cluster = await startBenchCluster(
    { name: 'bench-throughput', symbols, nodes: ['a', 'b', 'c'] },
    'order_quantity: "6", buy_window_size: 4, sell_window_size: 4',
    teardown,
  );
  let accepted = 0;
  cluster.venue.engine.subscribe({
    onExecution(_account, order, fill) {
      if (order.status === 'NEW' && fill === undefined) accepted += 1;
    },
  });
  const figures: ThroughputFigure[] = [];
  for (let count = 1; count <= cluster.nodes.length; count += 1) {
    const active = cluster.nodes.slice(0, count);
    await active.at(-1)!.start();
    await until(
      async () =>
        (await Promise.all(active.map(async (node) => (await node.owned()).length > 0))).every(Boolean) &&
        everySymbolTrading(active, symbols),
      `${count} instances sharing and trading the 12 symbols`,
      120_000,
    );
    // Let the symbols that moved settle (load, reconcile) before the window.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    const cpuBefore = await Promise.all(active.map((node) => cpuSeconds(node.process.pid)));
    const machineBefore = await machineCpuTicks();
    const acceptedBefore = accepted;
    const began = performance.now();
    await new Promise((resolve) => setTimeout(resolve, THROUGHPUT_WINDOW_S * 1000));
    const wallS = (performance.now() - began) / 1000;
    const cpuAfter = await Promise.all(active.map((node) => cpuSeconds(node.process.pid)));
    const machineAfter = await machineCpuTicks();
    figures.push({
      instances: count,
      ordersPerSecond: (accepted - acceptedBefore) / wallS,
      instanceCpu: cpuAfter.map((after, index) => (after - cpuBefore[index]!) / wallS),
      machineBusy: (machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total),
    });
  }
  const refusals = new Map<string, number>();
  for (const { method, path, code } of cluster.refused)
    refusals.set(`${method} ${path} ${code}`, (refusals.get(`${method} ${path} ${code}`) ?? 0) + 1);
  console.log(`venue refusals during the throughput runs: ${JSON.stringify(Object.fromEntries(refusals))}`);
  return figures;
}

const teardown: TeardownSteps = [];
// Ctrl-C still stops the instances, etcd and the venue, and drops the database.
process.once('SIGINT', () => void runTeardown(teardown).then(() => process.exit(130)));
try {
  await benchTakeover(teardown);
  await runTeardown(teardown);
  const figures = await benchThroughput(teardown);
  console.log(
    `## throughput: 12 symbols, venue and shared order-rate limits raised, window ${THROUGHPUT_WINDOW_S} s, load ${uptime()}`,
  );
  const single = figures[0]!.ordersPerSecond;
  for (const figure of figures)
    console.log(
      `${`${figure.instances} active instance${figure.instances === 1 ? '' : 's'}`.padEnd(20)} ${figure.ordersPerSecond.toFixed(1).padStart(7)} orders/s  baseline 1 instance ${single.toFixed(1)}  ratio ${(figure.ordersPerSecond / single).toFixed(2)}  goal (design) 3 instances 3×  CPU per instance ${figure.instanceCpu.map((share) => `${(share * 100).toFixed(0)} %`).join(' ')}  machine busy ${(figure.machineBusy * 100).toFixed(0)} % of 2 cores`,
    );
} finally {
  await runTeardown(teardown);
}
