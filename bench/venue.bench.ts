/**
 * Venue benchmark (`npm run bench:venue`): matching throughput of the sim engine and the round-trip
 * latency of an order (place + cancel) in-process (SimExchange) vs. served (CcxtExchange over HTTP
 * to a sim-venue on 127.0.0.1), and the cost of the embedded venue's journal. Every figure is printed beside its baseline from the same run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { dec } from '../src/domain/decimal.js';
import { CcxtExchange } from '../src/exchange/ccxt/ccxt-exchange.js';
import type { Exchange, PlaceOrderRequest } from '../src/exchange/exchange.js';
import { JournaledSimEngine } from '../src/exchange/sim/journaled-sim-engine.js';
import { SimExchange } from '../src/exchange/sim/sim-exchange.js';
import { SimMatchingEngine } from '../src/exchange/sim/sim-matching-engine.js';
import { defaultSimSymbols } from '../src/exchange/sim/sim-settings.js';
import { startSimVenueServer } from '../src/exchange/sim-venue/sim-venue-server.js';

const UNLIMITED = { limit: Number.MAX_SAFE_INTEGER, windowMs: 60_000 };

function engine(): SimMatchingEngine {
  return new SimMatchingEngine({
    seed: 1,
    symbols: defaultSimSymbols(),
    accounts: [{ id: 'bench', balances: { USDT: dec(1_000_000_000) } }],
    rateLimit: UNLIMITED,
    startTime: 0,
  });
}

const request = (index: number, clientOrderId: string): PlaceOrderRequest => ({
  symbol: 'BTCUSDT',
  side: index % 2 === 0 ? 'BUY' : 'SELL',
  type: 'LIMIT',
  price: dec(index % 2 === 0 ? 50_000 - (index % 500) : 70_000 + (index % 500)),
  quantity: dec('0.01'),
  postOnly: true,
  reduceOnly: false,
  clientOrderId,
});

function perSecond(count: number, run: () => void): number {
  const start = performance.now();
  run();
  return count / ((performance.now() - start) / 1000);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function roundTrips(exchange: Exchange, count: number, prefix: string): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const clientOrderId = `${prefix}${index}`;
    const start = performance.now();
    await exchange.placeOrder(request(index, clientOrderId));
    await exchange.cancelOrder('BTCUSDT', { clientOrderId });
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

const figure = (value: number) => (value >= 1000 ? value.toFixed(0) : value.toPrecision(3));
const row = (name: string, value: number, baseline: number, unit: string) =>
  console.log(
    `${name.padEnd(48)} ${figure(value).padStart(10)} ${unit.padEnd(9)} baseline ${figure(baseline).padStart(10)}  ratio ${figure(value / baseline)}`,
  );

// 1. Order placement: engine alone vs. through the SimExchange adapter.
const ORDERS = 20_000;
// Warm-up so that neither side of the comparison pays for JIT compilation.
const warm = engine();
for (let index = 0; index < ORDERS; index += 1) warm.placeOrder('bench', request(index, `w${index}`));
const direct = engine();
const ordersDirect = perSecond(ORDERS, () => {
  for (let index = 0; index < ORDERS; index += 1) direct.placeOrder('bench', request(index, `d${index}`));
});
const adapter = new SimExchange(engine(), { account: 'bench' });
const start = performance.now();
for (let index = 0; index < ORDERS; index += 1) await adapter.placeOrder(request(index, `a${index}`));
const ordersAdapter = ORDERS / ((performance.now() - start) / 1000);
console.log('## matching throughput');
row('orders/s placed via SimExchange (20k resting)', ordersAdapter, ordersDirect, 'orders/s');
console.log('   (baseline: the same placements on the engine directly)');

// 2. Price ticks: an empty book vs. 20 000 resting orders out of reach vs. 1 000 orders crossed each tick.
const TICKS = 20_000;
const empty = engine();
const ticksEmpty = perSecond(TICKS, () => {
  for (let tick = 0; tick < TICKS; tick += 1) empty.step();
});
const ticksResting = perSecond(TICKS, () => {
  for (let tick = 0; tick < TICKS; tick += 1) direct.step();
});
row('price ticks/s with 20k resting orders', ticksResting, ticksEmpty, 'ticks/s');
const crossing = engine();
const FILL_ROUNDS = 200;
const fillsPerSecond = perSecond(FILL_ROUNDS * 1000, () => {
  for (let round = 0; round < FILL_ROUNDS; round += 1) {
    for (let index = 0; index < 1000; index += 1)
      crossing.placeOrder('bench', { ...request(0, `f${round}-${index}`), price: dec(59_000), postOnly: false });
    crossing.setPrice('BTCUSDT', dec(round % 2 === 0 ? 58_000 : 58_001));
    crossing.setPrice('BTCUSDT', dec(60_000));
  }
});
row('fills/s (1000 orders crossed per price move)', fillsPerSecond, ticksEmpty, 'fills/s');
console.log('   (baseline: ticks/s of an empty book)');

// 3. Round trip place + cancel: in-process vs. ccxt over HTTP to a sim-venue.
const TRIPS = 300;
const inProcess = new SimExchange(engine(), { account: 'bench' });
await roundTrips(inProcess, 50, 'warm');
const local = await roundTrips(inProcess, TRIPS, 'rt');
const server = await startSimVenueServer({
  accounts: [{ apiKey: 'bench-key', apiSecret: 'bench-secret' }],
  stepIntervalMs: 0,
  rateLimit: UNLIMITED,
});
const served = new CcxtExchange({
  name: 'sim-venue',
  ccxtId: 'binanceusdm',
  marketType: 'future',
  apiKey: 'bench-key',
  apiSecret: 'bench-secret',
  baseUrl: server.url,
  rateLimitMs: 1,
});
await roundTrips(served, 20, 'warm');
const remote = await roundTrips(served, TRIPS, 'rt');
console.log('## round trip (place + cancel), ms');
row('served p50 (ccxt → HTTP → sim-venue)', percentile(remote, 50), percentile(local, 50), 'ms');
row('served p99 (ccxt → HTTP → sim-venue)', percentile(remote, 99), percentile(local, 99), 'ms');
console.log('   (baseline: in-process SimExchange p50 / p99)');
await served.close();
await server.close();

// 4. The embedded venue's journal: steps/s journaled vs. in memory, and a restart's replay of one simulated day.
const journalDir = await mkdtemp(join(tmpdir(), 'qm-bench-journal-'));
const demoMarkets = defaultSimSymbols();
const journaled = (file: string) =>
  JournaledSimEngine.open({
    settings: { seed: 1, symbols: demoMarkets, rateLimit: UNLIMITED },
    balances: { USDT: dec(1_000_000_000) },
    openingPositions: undefined,
    freshAccount: 'bench',
    now: 0,
    journalPath: join(journalDir, file),
  });
const DAY_STEPS = 86_400;
const memory = engine();
const stepsMemory = perSecond(DAY_STEPS, () => {
  for (let tick = 0; tick < DAY_STEPS; tick += 1) memory.step();
});
const writer = journaled('day.journal');
const stepsJournaled = perSecond(DAY_STEPS, () => {
  for (let tick = 0; tick < DAY_STEPS; tick += 1) writer.step();
});
writer.close();
const replayStart = performance.now();
journaled('day.journal').close();
const replayMs = performance.now() - replayStart;
console.log('## embedded venue journal (3 demo markets)');
row('steps/s journaled', stepsJournaled, stepsMemory, 'steps/s');
console.log('   (baseline: steps/s of the in-memory engine)');
row('replay of one simulated day (86 400 steps), ms', replayMs, (DAY_STEPS / stepsMemory) * 1000, 'ms');
console.log('   (baseline: the same steps in memory)');
await rm(journalDir, { recursive: true, force: true });
