/**
 * Binance's request limits and the `/_sim` faults, as a client meets them: usage headers, 429 with
 * Retry-After and then 418 for a client that ignores it, lost and late answers of requests that did
 * execute, maintenance, duplicated / reordered stream events and listen-key expiry.
 */
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type SimVenueServer, startSimVenueServer } from '../../../src/exchange/sim-venue/sim-venue-server.js';
import { type CcxtVenue, startCcxtVenue } from './ccxt-binanceusdm-fixture.js';

const KEY = 'limits-key';
const SECRET = 'limits-secret';
/** A minute boundary. */
const PINNED_TIME = 1_796_000_040_000;
const owned: { close(): Promise<void> }[] = [];

afterEach(async () => {
  for (const item of owned.splice(0)) await item.close();
});

async function server(options: Parameters<typeof startSimVenueServer>[0]['limits'] = {}): Promise<SimVenueServer> {
  // The limits' clock stands at the start of a minute, so that no window ends during a test.
  const started = await startSimVenueServer({
    stepIntervalMs: 0,
    admin: true,
    accounts: [{ apiKey: KEY, apiSecret: SECRET }],
    limits: options,
    limitsClock: () => PINNED_TIME,
  });
  owned.push(started);
  return started;
}

async function ccxtVenue(): Promise<CcxtVenue> {
  const venue = await startCcxtVenue();
  owned.push(venue);
  return venue;
}

function signed(params: Record<string, string>): string {
  const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  return `${query}&signature=${createHmac('sha256', SECRET).update(query).digest('hex')}`;
}

async function order(venue: SimVenueServer, clientOrderId: string) {
  return fetch(`${venue.url}/fapi/v1/order`, {
    method: 'POST',
    headers: { 'X-MBX-APIKEY': KEY, 'content-type': 'application/x-www-form-urlencoded' },
    body: signed({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.001',
      price: '50000',
      newClientOrderId: clientOrderId,
    }),
  });
}

async function post(venue: { url: string }, path: string): Promise<unknown> {
  const response = await fetch(`${venue.url}${path}`, { method: 'POST' });
  expect(response.status).toBe(200);
  return response.json();
}

describe('request weights and order-rate limits', () => {
  it("reports the used weight and order counts, weighs by Binance's table", async () => {
    const venue = await server();
    const depth = await fetch(`${venue.url}/fapi/v1/depth?symbol=BTCUSDT&limit=1000`);
    expect(depth.headers.get('x-mbx-used-weight-1m')).toBe('20');
    const tickers = await fetch(`${venue.url}/fapi/v1/ticker/24hr`);
    expect(tickers.headers.get('x-mbx-used-weight-1m')).toBe('60');
    const placed = await order(venue, 'weights-1');
    expect(placed.status).toBe(200);
    expect(placed.headers.get('x-mbx-order-count-10s')).toBe('1');
    expect(placed.headers.get('x-mbx-order-count-1m')).toBe('1');
  });

  it('a client that ignores 429 and Retry-After is banned with 418', async () => {
    const venue = await server({ weightPerMinute: 10 });
    const ticker = () => fetch(`${venue.url}/fapi/v1/ticker/price?symbol=BTCUSDT`);
    const statuses: number[] = [];
    for (let index = 0; index < 10; index += 1) statuses.push((await ticker()).status);
    expect(statuses).toEqual(Array(10).fill(200));
    // Weight 1 each: the 11th request of the minute is over the limit.
    const first = await ticker();
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('60');
    expect(await first.json()).toMatchObject({ code: -1003 });
    const ignoring = [await ticker(), await ticker(), await ticker()];
    expect(ignoring.map((response) => response.status)).toEqual([429, 418, 418]);
    // The ban holds for every endpoint of that IP, with its own Retry-After.
    const banned = await fetch(`${venue.url}/fapi/v1/ping`);
    expect(banned.status).toBe(418);
    expect(Number(banned.headers.get('retry-after'))).toBeGreaterThan(60);
  });

  it('orders beyond the 10-second order limit are refused with -1015 before they execute', async () => {
    const venue = await server({ ordersPer10Seconds: 2 });
    expect((await order(venue, 'rate-1')).status).toBe(200);
    expect((await order(venue, 'rate-2')).status).toBe(200);
    const refused = await order(venue, 'rate-3');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: -1015 });
    expect(venue.engine.openOrders('acct-limits-k').map((report) => report.clientOrderId)).toEqual([
      'rate-1',
      'rate-2',
    ]);
  });

  it('forced 429 and 418 reach a ccxt client as its DDoSProtection, once each', async () => {
    const venue = await ccxtVenue();
    await venue.admin('/_sim/rate-limit?path=/fapi/v1/ticker/24hr&count=1&retryAfter=3');
    await expect(venue.client.fetchTicker('BTC/USDT:USDT')).rejects.toThrow(/429 Too Many Requests/);
    await venue.admin('/_sim/ban?path=/fapi/v1/ticker/24hr&count=1');
    await expect(venue.client.fetchTicker('BTC/USDT:USDT')).rejects.toThrow(/418/);
    expect((await venue.client.fetchTicker('BTC/USDT:USDT')).last).toBeGreaterThan(0);
  });
});

describe('/_sim faults', () => {
  it('a lost answer: the order executes, the client gets no answer', async () => {
    const venue = await server();
    await post(venue, '/_sim/lose-answer?path=/fapi/v1/order&method=POST');
    await expect(order(venue, 'lost-1')).rejects.toThrow();
    expect(venue.engine.openOrders('acct-limits-k').map((report) => report.clientOrderId)).toEqual(['lost-1']);
    expect((await order(venue, 'after-lost')).status).toBe(200);
  });

  it('a late answer arrives after the order rested', async () => {
    const venue = await server();
    await post(venue, '/_sim/delay-answer?path=/fapi/v1/order&ms=1500');
    const pending = order(venue, 'late-1');
    let answered = false;
    void pending.then(() => {
      answered = true;
    });
    await expect.poll(() => venue.engine.openOrders('acct-limits-k').length).toBe(1);
    expect(answered).toBe(false);
    expect((await pending).status).toBe(200);
  });

  it('maintenance answers 503 and fetchStatus says maintenance, until it ends', async () => {
    const venue = await ccxtVenue();
    await venue.admin('/_sim/maintenance?on=true');
    expect((await venue.client.fetchStatus()).status).toBe('maintenance');
    await expect(venue.client.fetchTicker('BTC/USDT:USDT')).rejects.toThrow(/maintenance/);
    await venue.admin('/_sim/maintenance?on=false');
    expect((await venue.client.fetchStatus()).status).toBe('ok');
  });

  it('duplicated and reordered market events reach the client as ordered', async () => {
    const venue = await server();
    const socket = new WebSocket(`${venue.wsUrl}/ws/btcusdt@aggTrade`);
    owned.push({
      close: async () => {
        socket.close();
      },
    });
    const ids: number[] = [];
    socket.on('message', (data) => ids.push((JSON.parse(String(data)) as { a: number }).a));
    await new Promise((resolve) => socket.once('open', resolve));
    expect(await post(venue, '/_sim/stream-fault?kind=duplicate&target=market&count=1')).toMatchObject({
      connections: 1,
    });
    await post(venue, '/_sim/step');
    await post(venue, '/_sim/stream-fault?kind=reorder&target=market&count=1');
    await post(venue, '/_sim/step?ticks=2');
    await expect.poll(() => ids.length).toBe(4);
    const [first] = ids;
    expect(ids).toEqual([first, first, (first as number) + 2, (first as number) + 1]);
  });

  it('an expired listen key: listenKeyExpired, the stream closes, the key is refused', async () => {
    const venue = await server();
    const opened = await fetch(`${venue.url}/fapi/v1/listenKey`, { method: 'POST', headers: { 'X-MBX-APIKEY': KEY } });
    const { listenKey } = (await opened.json()) as { listenKey: string };
    const socket = new WebSocket(`${venue.wsUrl}/ws/${listenKey}`);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    expect(await post(venue, '/_sim/expire-listen-keys')).toEqual({ expired: 1 });
    expect(await closed).toBe(4003);
    expect(JSON.parse(frames[0] as string)).toMatchObject({ e: 'listenKeyExpired', listenKey });
    const keepAlive = await fetch(`${venue.url}/fapi/v1/listenKey`, {
      method: 'PUT',
      headers: { 'X-MBX-APIKEY': KEY },
    });
    expect(await keepAlive.json()).toMatchObject({ code: -1125 });
  });
});
