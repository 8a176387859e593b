/**
 * The sim-venue server as a separate process (`src/cli/sim-venue-main.ts`, the `quantmesh sim-venue`
 * command): authentication, Binance-style errors for malformed requests, listen keys, and that no
 * bad request stops it.
 */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type OwnedProcess, startTsProcess } from '../../harness/child-process.js';
import { freePort } from '../../harness/free-port.js';

let venue: OwnedProcess;
let base: string;
let apiKey: string;
let apiSecret: string;

function signed(params: Record<string, string>, secret = apiSecret): string {
  const query = new URLSearchParams({ ...params, timestamp: String(Date.now()) }).toString();
  return `${query}&signature=${createHmac('sha256', secret).update(query).digest('hex')}`;
}

async function call(
  method: string,
  path: string,
  options: { key?: string; query?: string; body?: string; contentType?: string } = {},
) {
  const response = await fetch(`${base}${path}${options.query === undefined ? '' : `?${options.query}`}`, {
    method,
    headers: {
      ...(options.key === undefined ? {} : { 'X-MBX-APIKEY': options.key }),
      'content-type': options.contentType ?? 'application/x-www-form-urlencoded',
    },
    body: options.body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  const port = await freePort();
  venue = startTsProcess('src/cli/sim-venue-main.ts', [
    '--port',
    String(port),
    '--admin',
    '--step-interval-ms',
    '0',
    '--symbols',
    'BTCUSDT,ETHUSDT',
  ]);
  const demo = await venue.waitForLine(/demo account: api key \w+ api secret \w+/);
  [, apiKey, apiSecret] = /api key (\w+) api secret (\w+)/.exec(demo) as unknown as [string, string, string];
  await venue.waitForLine(/listening on/);
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await venue?.kill();
});

describe('sim-venue server', () => {
  it('serves public endpoints without a key', async () => {
    expect((await call('GET', '/fapi/v1/ping')).body).toEqual({});
    const info = await call('GET', '/fapi/v1/exchangeInfo');
    expect((info.body['symbols'] as { symbol: string }[]).map((symbol) => symbol.symbol)).toEqual([
      'BTCUSDT',
      'ETHUSDT',
    ]);
  });

  it('accepts a correctly signed order and refuses a missing key, a wrong signature and a stale timestamp', async () => {
    const order = {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: '50000',
      newClientOrderId: 'srv-1',
    };
    const placed = await call('POST', '/fapi/v1/order', { key: apiKey, body: signed(order) });
    expect(placed).toMatchObject({ status: 200, body: { clientOrderId: 'srv-1', status: 'NEW' } });
    expect(await call('POST', '/fapi/v1/order', { body: signed(order) })).toMatchObject({
      status: 401,
      body: { code: -2015 },
    });
    expect(await call('POST', '/fapi/v1/order', { key: 'unknown', body: signed(order) })).toMatchObject({
      status: 401,
      body: { code: -2015 },
    });
    expect(await call('POST', '/fapi/v1/order', { key: apiKey, body: signed(order, 'wrong-secret') })).toMatchObject({
      status: 400,
      body: { code: -1022 },
    });
    const stale = new URLSearchParams({ ...order, timestamp: String(Date.now() - 120_000) }).toString();
    const staleSigned = `${stale}&signature=${createHmac('sha256', apiSecret).update(stale).digest('hex')}`;
    expect(await call('POST', '/fapi/v1/order', { key: apiKey, body: staleSigned })).toMatchObject({
      status: 400,
      body: { code: -1021 },
    });
  });

  it('/_sim/refuse-next refuses the next matching order once, with a Binance filter error', async () => {
    expect(await call('POST', '/_sim/refuse-next', { query: 'symbol=ETHUSDT&type=MARKET' })).toMatchObject({
      status: 200,
      body: { symbol: 'ETHUSDT', type: 'MARKET', count: 1 },
    });
    const market = (id: string) =>
      signed({ symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.01', newClientOrderId: id });
    const limit = signed({
      symbol: 'ETHUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.01',
      price: '2000',
      newClientOrderId: 'refuse-limit',
    });
    expect((await call('POST', '/fapi/v1/order', { key: apiKey, body: limit })).status).toBe(200);
    expect(await call('POST', '/fapi/v1/order', { key: apiKey, body: market('refuse-1') })).toMatchObject({
      status: 400,
      body: { code: -1013 },
    });
    expect(await call('POST', '/fapi/v1/order', { key: apiKey, body: market('refuse-2') })).toMatchObject({
      status: 200,
      body: { clientOrderId: 'refuse-2', status: 'FILLED' },
    });
    expect((await call('POST', '/_sim/refuse-next', { query: 'symbol=ETHUSDT&count=0' })).status).toBe(400);
  });

  it('answers malformed requests with Binance {code, msg} errors and stays up', async () => {
    const refusals = [
      await call('GET', '/fapi/v1/nothing-here'),
      await call('POST', '/fapi/v1/order', {
        key: apiKey,
        body: signed({ symbol: 'BTCUSDT', side: 'UP', type: 'LIMIT', quantity: '1', price: '1' }),
      }),
      await call('POST', '/fapi/v1/order', {
        key: apiKey,
        body: signed({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', quantity: 'lots', price: '1' }),
      }),
      await call('POST', '/fapi/v1/order', {
        key: apiKey,
        body: signed({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT' }),
      }),
      await call('POST', '/fapi/v1/order', {
        key: apiKey,
        body: signed({
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          quantity: '1',
          price: '1',
          newClientOrderId: 'bad id!',
        }),
      }),
      await call('POST', '/fapi/v1/batchOrders', { key: apiKey, body: signed({ batchOrders: '[{"symbol":' }) }),
      await call('POST', '/fapi/v1/batchOrders', { key: apiKey, body: signed({ batchOrders: '[null, 7]' }) }),
      await call('POST', '/fapi/v1/order', { key: apiKey, body: '{"not":', contentType: 'application/json' }),
      await call('GET', '/fapi/v1/userTrades', { key: apiKey, query: signed({ symbol: 'BTCUSDT', fromId: '-3' }) }),
      await call('POST', '/_sim/step', { query: 'ticks=NaN' }),
    ];
    for (const refusal of refusals) {
      const entries = Array.isArray(refusal.body) ? (refusal.body as Record<string, unknown>[]) : [refusal.body];
      for (const entry of entries) {
        expect(typeof entry['code']).toBe('number');
        expect(typeof entry['msg']).toBe('string');
      }
    }
    expect(refusals.map((refusal) => refusal.status)).toEqual([404, 400, 400, 400, 400, 400, 200, 400, 400, 400]);
    expect(JSON.stringify(refusals)).not.toContain(apiSecret);
    expect((await call('GET', '/fapi/v1/ping')).status).toBe(200);
  });

  it('answers a malformed WebSocket request with an error frame and keeps the connection', async () => {
    const socket = new WebSocket(`${base.replace('http', 'ws')}/market/ws`);
    const frames: string[] = [];
    socket.on('message', (data) => frames.push(String(data)));
    await new Promise((resolve) => socket.once('open', resolve));
    socket.send('not json at all');
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: [7], id: 1 }));
    socket.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@ticker'], id: 2 }));
    await expect.poll(() => frames.length).toBe(3);
    expect(frames.slice(0, 2).map((frame) => 'error' in JSON.parse(frame))).toEqual([true, true]);
    expect(JSON.parse(frames[2] as string)).toEqual({ result: null, id: 2 });
    await call('POST', '/_sim/price', { query: 'symbol=BTCUSDT&price=61234.5' });
    await expect.poll(() => frames.some((frame) => frame.includes('"c":"61234.5"'))).toBe(true);
    socket.close();
  });

  it('manages listen keys and refuses a user stream with an unknown one', async () => {
    const opened = await call('POST', '/fapi/v1/listenKey', { key: apiKey });
    const listenKey = opened.body['listenKey'] as string;
    expect((await call('POST', '/fapi/v1/listenKey', { key: apiKey })).body['listenKey']).toBe(listenKey);
    expect((await call('PUT', '/fapi/v1/listenKey', { key: apiKey })).status).toBe(200);
    const refused = new WebSocket(`${base.replace('http', 'ws')}/private/ws?listenKey=forged`);
    const [code] = await new Promise<[number]>((resolve) => refused.once('close', (closeCode) => resolve([closeCode])));
    expect(code).toBe(4001);
    expect((await call('DELETE', '/fapi/v1/listenKey', { key: apiKey })).status).toBe(200);
    expect((await call('PUT', '/fapi/v1/listenKey', { key: apiKey })).body['code']).toBe(-1125);
  });

  it("takes Binance's limits from the command line: --weight-limit 2 answers 429 soon after two requests", async () => {
    const port = await freePort();
    const limited = startTsProcess('src/cli/sim-venue-main.ts', ['--port', String(port), '--weight-limit', '2']);
    try {
      await limited.waitForLine(/listening on/);
      // Wall-clock minute windows: a request that straddles a minute boundary passes in the new one.
      const statuses: number[] = [];
      while (!statuses.includes(429) && statuses.length < 6)
        statuses.push((await fetch(`http://127.0.0.1:${port}/fapi/v1/ping`)).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.length).toBeGreaterThanOrEqual(3);
    } finally {
      await limited.kill();
    }
  });

  it('never prints a configured secret', async () => {
    const port = await freePort();
    const configured = startTsProcess('src/cli/sim-venue-main.ts', [
      '--port',
      String(port),
      '--api-key',
      'key-one',
      '--api-secret',
      'secret-one-xyz',
      '--api-key',
      'key-two',
      '--api-secret',
      'secret-two-xyz',
    ]);
    try {
      await configured.waitForLine(/listening on/);
      for (const [key, secret] of [
        ['key-one', 'secret-one-xyz'],
        ['key-two', 'secret-two-xyz'],
      ] as const) {
        const response = await fetch(`http://127.0.0.1:${port}/fapi/v3/balance?${signed({}, secret)}`, {
          headers: { 'X-MBX-APIKEY': key },
        });
        expect(response.status).toBe(200);
      }
      expect(configured.output()).not.toContain('secret-');
    } finally {
      await configured.kill();
    }
  });
});
