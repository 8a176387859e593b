/** What a new configuration changes for a running instance (R7): live keys, restart keys, and what keeps running. */
import { describe, expect, it } from 'vitest';
import { diffConfig } from '../../src/app/config-diff.js';
import { parseConfig } from '../../src/config/load-config.js';

const configWith = (symbols: string, extra = '') =>
  parseConfig(
    ['instance: { id: a }', 'exchanges: { sim: { type: sim } }', 'trading:', '  symbols:', symbols, extra].join('\n'),
    { file: 'test.yaml', env: {} },
  );

const BTC = '    - { exchange: sim, symbol: BTCUSDT, price_interval: "50", order_quantity: "30" }';
const ETH = '    - { exchange: sim, symbol: ETHUSDT, price_interval: "5", order_quantity: "30" }';

describe('diffConfig', () => {
  it('the same configuration changes nothing', () => {
    const diff = diffConfig(configWith(BTC), configWith(BTC));
    expect(diff).toMatchObject({ symbols: [], logLevel: undefined, restartNeeded: [] });
  });

  it('grid settings that keep the lattice are live; price_interval and reconcile_interval wait for a restart and keep running as they were', () => {
    const running = configWith(`${ETH}\n${BTC}`);
    const next = configWith(
      `${BTC.replace('"30"', '"40", buy_window_size: 4, price_interval: "60", reconcile_interval: 5s').replace('price_interval: "50", ', '')}\n${ETH}`,
    );
    const diff = diffConfig(running, next);
    expect(diff.symbols.map((symbol) => [symbol.entry.symbol, symbol.changes.map((change) => change.key)])).toEqual([
      [
        'BTCUSDT',
        [
          'trading.symbols[0].order_quantity',
          'trading.symbols[0].buy_window_size',
          'trading.symbols[0].sell_window_size',
        ],
      ],
    ]);
    expect(diff.symbols[0]!.changes[0]).toEqual({ key: 'trading.symbols[0].order_quantity', from: '30', to: '40' });
    expect(diff.restartNeeded).toEqual(['trading.symbols[0].price_interval', 'trading.symbols[0].reconcile_interval']);
    const btc = diff.running.trading.symbols.find((entry) => entry.symbol === 'BTCUSDT')!;
    expect([btc.orderQuantity, btc.buyWindowSize, btc.priceInterval, btc.reconcileInterval]).toEqual([
      '40',
      4,
      '50',
      60_000,
    ]);
  });

  it('an added symbol, a database change and a changed secret need a restart, listed by key without the secret', () => {
    const running = configWith(BTC, 'database: { type: sqlite, dsn: ./a.db }\nweb: { api_key: old-secret-1 }');
    const next = configWith(
      `${BTC}\n${ETH}`,
      'database: { type: sqlite, dsn: ./b.db }\nweb: { api_key: new-secret-2 }\nsystem: { log_level: debug }',
    );
    const diff = diffConfig(running, next);
    expect(diff.restartNeeded).toEqual(['database.dsn', 'web.api_key', 'trading.symbols (symbols added or removed)']);
    expect(diff.logLevel).toEqual({ key: 'system.log_level', from: 'info', to: 'debug' });
    expect(diff.running.trading.symbols.map((entry) => entry.symbol)).toEqual(['BTCUSDT']);
    expect(diff.running.system.logLevel).toBe('debug');
    expect(JSON.stringify([diff.restartNeeded, diff.symbols, diff.logLevel])).not.toMatch(/old-secret-1|new-secret-2/);
  });
  it("a venue's API credentials apply live, masked; its other keys still need a restart", () => {
    const venue = (key: string, url: string) =>
      `exchanges: { binance: { api_key: ${key}, secret_key: venue-secret-9, base_url: "${url}" } }`;
    const symbol = '    - { exchange: binance, symbol: BTCUSDT, price_interval: "50", order_quantity: "30" }';
    const parse = (exchanges: string) =>
      parseConfig(['instance: { id: a }', exchanges, 'trading:', '  symbols:', symbol].join('\n'), {
        file: 'test.yaml',
        env: {},
      });
    const running = parse(venue('wrong-key-1', 'http://127.0.0.1:1'));
    const diff = diffConfig(running, parse(venue('right-key-2', 'http://127.0.0.1:2')));
    expect(diff.credentials).toEqual([
      { exchange: 'binance', changes: [{ key: 'exchanges.binance.api_key', from: '***', to: '***' }] },
    ]);
    expect(diff.restartNeeded).toEqual(['exchanges.binance.base_url']);
    expect(diff.running.exchanges['binance']).toMatchObject({ apiKey: 'right-key-2', baseUrl: 'http://127.0.0.1:1' });
    expect(JSON.stringify([diff.restartNeeded, diff.credentials])).not.toMatch(/wrong-key-1|right-key-2/);
  });
});
