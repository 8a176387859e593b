/**
 * `npm run bench:footprint` (builds first): memory and CPU of one QuantMesh instance (`node
 * bin/quantmesh.js`, as an operator runs it) trading 50 symbols on SQLite against a `quantmesh
 * sim-venue` process whose price driver moves every symbol once a second, beside the same instance
 * trading 1 symbol, measured in the same run. After every grid is trading and a warm-up, the
 * instance's RSS is sampled each second from /proc/<pid>/status (VmRSS: median = steady, VmHWM =
 * peak since start) and its CPU is utime + stime from /proc/<pid>/stat over the window, as a share
 * of one core. CPU time is what other sessions' load on the shared machine inflates least.
 * Goal (issue 13 item 5): 50 symbols ≤ 200 MB RSS and ≤ 25 % of one core.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OwnedProcess, projectRoot, startProcess } from '../test/harness/child-process.js';
import { freePort } from '../test/harness/free-port.js';
import { until } from '../test/harness/until.js';
import { sqliteInstanceYaml } from '../test/app/quantmesh-process.js';
import { cpuSeconds, statusMb, uptime } from './proc-stats.js';

const WARM_UP_S = Number(process.env.QM_BENCH_WARM_UP_S ?? '20');
const WINDOW_S = Number(process.env.QM_BENCH_WINDOW_S ?? '60');
const GOAL_RSS_MB = 200;
const GOAL_CPU_SHARE = 0.25;
const BIN = join(projectRoot, 'bin/quantmesh.js');
const ACCOUNT = { apiKey: 'footprint-key', apiSecret: 'footprint-secret' };
/** Extra node flags for the instance, e.g. `--cpu-prof --diagnostic-dir=/tmp/prof` to profile it. */
const INSTANCE_NODE_FLAGS = (process.env.QM_BENCH_NODE_FLAGS ?? '').split(' ').filter((flag) => flag !== '');

interface Footprint {
  readonly symbols: number;
  readonly steadyRssMb: number;
  /** RSS at the window's first and last sample: a rise is growth, not noise. */
  readonly firstRssMb: number;
  readonly lastRssMb: number;
  readonly peakRssMb: number;
  /** Medians over the window: RSS of the process's own memory (heaps, stacks) and of mapped files (the node binary, native addons). */
  readonly anonRssMb: number;
  readonly fileRssMb: number;
  /** CPU seconds (user + system) per wall second over the window: 1 = one core. */
  readonly cpuShare: number;
  readonly orders: number;
}

/** `S01USDT` …: names the sim venue lists with its generic filters (price 100, tick 0.01). */
const symbolNames = (count: number) =>
  Array.from({ length: count }, (_, index) => `S${String(index + 1).padStart(2, '0')}USDT`);

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface SymbolStatus {
  readonly symbol: string;
  readonly state: string;
  readonly workingOrders: number;
}

async function measure(symbols: readonly string[], venueUrl: string): Promise<Footprint> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-bench-footprint-'));
  const webPort = await freePort();
  const configFile = join(dir, 'quantmesh.yaml');
  const grid = 'price_interval: "0.2", order_quantity: "20", buy_window_size: 5, sell_window_size: 5';
  await writeFile(
    configFile,
    `${sqliteInstanceYaml(`footprint-${symbols.length}`, dir)}exchanges:
  binance:
    api_key: ${ACCOUNT.apiKey}
    secret_key: ${ACCOUNT.apiSecret}
    base_url: ${venueUrl}
trading:
  symbols:
${symbols.map((symbol) => `    - { exchange: binance, symbol: ${symbol}, ${grid} }\n`).join('')}system:
  cancel_on_exit: true
web:
  port: ${webPort}
`,
  );
  const instance = startProcess(process.execPath, [...INSTANCE_NODE_FLAGS, BIN, '--config', configFile], { cwd: dir });
  try {
    await instance.waitForLine(/running; send SIGINT/, 120_000);
    const status = async () =>
      ((await (await fetch(`http://127.0.0.1:${webPort}/api/status`)).json()) as { symbols: SymbolStatus[] }).symbols;
    await until(
      async () => (await status()).every((symbol) => symbol.state === 'running' && symbol.workingOrders > 0),
      `all ${symbols.length} grids trading`,
      120_000,
    );
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_S * 1000));
    return await sampleWindow(instance, symbols.length, status);
  } finally {
    instance.signal('SIGINT');
    await Promise.race([instance.exited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
    await instance.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

async function sampleWindow(
  instance: OwnedProcess,
  symbols: number,
  status: () => Promise<readonly SymbolStatus[]>,
): Promise<Footprint> {
  const rss: number[] = [];
  const anon: number[] = [];
  const file: number[] = [];
  const cpuBefore = await cpuSeconds(instance.pid);
  const began = performance.now();
  while (performance.now() - began < WINDOW_S * 1000) {
    rss.push(await statusMb(instance.pid, 'VmRSS'));
    anon.push(await statusMb(instance.pid, 'RssAnon'));
    file.push(await statusMb(instance.pid, 'RssFile'));
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const cpu = (await cpuSeconds(instance.pid)) - cpuBefore;
  const wallS = (performance.now() - began) / 1000;
  const stopped = (await status()).filter((symbol) => symbol.state !== 'running');
  if (stopped.length > 0) throw new Error(`grids not running at the window's end: ${JSON.stringify(stopped)}`);
  return {
    symbols,
    steadyRssMb: median(rss),
    firstRssMb: rss[0]!,
    lastRssMb: rss.at(-1)!,
    peakRssMb: await statusMb(instance.pid, 'VmHWM'),
    anonRssMb: median(anon),
    fileRssMb: median(file),
    cpuShare: cpu / wallS,
    orders: (await status()).reduce((sum, symbol) => sum + symbol.workingOrders, 0),
  };
}

const all = symbolNames(50);
const venuePort = await freePort();
// One price step a second moves every listed symbol: one update per symbol per second.
const venue = startProcess(process.execPath, [
  BIN,
  'sim-venue',
  '--port',
  String(venuePort),
  '--symbols',
  all.join(','),
  '--api-key',
  ACCOUNT.apiKey,
  '--api-secret',
  ACCOUNT.apiSecret,
  '--step-interval-ms',
  '1000',
]);
try {
  await venue.waitForLine(/listening on/, 60_000);
  const venueUrl = `http://127.0.0.1:${venuePort}`;
  const one = await measure(all.slice(0, 1), venueUrl);
  const fifty = await measure(all, venueUrl);
  console.log(
    `footprint: warm-up ${WARM_UP_S} s after every grid trades, window ${WINDOW_S} s, node ${process.version}, load ${uptime()}`,
  );
  const row = (name: string, unit: string, value: (figure: Footprint) => number, goal: string, met: boolean) =>
    console.log(
      `${name.padEnd(26)} 50 symbols ${value(fifty).toFixed(1).padStart(7)} ${unit}  1 symbol ${value(one).toFixed(1).padStart(7)} ${unit}  ratio 50/1 ${(value(fifty) / value(one)).toFixed(2).padStart(5)}  goal ${goal}: ${met ? 'met' : 'NOT met'}`,
    );
  row(
    'RSS steady (median)',
    'MB',
    (figure) => figure.steadyRssMb,
    `≤ ${GOAL_RSS_MB} MB`,
    fifty.steadyRssMb <= GOAL_RSS_MB,
  );
  row('RSS peak (VmHWM)', 'MB', (figure) => figure.peakRssMb, `≤ ${GOAL_RSS_MB} MB`, fifty.peakRssMb <= GOAL_RSS_MB);
  row('  of which anonymous', 'MB', (figure) => figure.anonRssMb, 'none', true);
  row('  of which mapped files', 'MB', (figure) => figure.fileRssMb, 'none', true);
  row(
    'CPU of one core',
    '% ',
    (figure) => figure.cpuShare * 100,
    `≤ ${GOAL_CPU_SHARE * 100} %`,
    fifty.cpuShare <= GOAL_CPU_SHARE,
  );
  console.log(
    `RSS over the window: 50 symbols ${fifty.firstRssMb.toFixed(1)} → ${fifty.lastRssMb.toFixed(1)} MB, 1 symbol ${one.firstRssMb.toFixed(1)} → ${one.lastRssMb.toFixed(1)} MB`,
  );
  console.log(`working orders at the end: 50 symbols ${fifty.orders}, 1 symbol ${one.orders}`);
} finally {
  await venue.kill();
}
