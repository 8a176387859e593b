/** Loading good configurations: shipped examples, defaults, exact decimals, durations, env substitution, DSN forms (R5). */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/config/defaults.js';
import { embeddedDefaultConfig } from '../../src/config/embedded-default.js';
import { ConfigError } from '../../src/config/errors.js';
import { loadConfig, parseConfig } from '../../src/config/load-config.js';
import { projectRoot } from '../harness/child-process.js';
import { EXAMPLE_ENV } from './example-env.js';

const BASE =
  'exchanges:\n  sim: {type: sim}\ntrading:\n  symbols:\n    - {exchange: sim, symbol: BTCUSDT, price_interval: "0.1", order_quantity: "30"}\n';
const parse = (yaml: string, env: Record<string, string> = {}) => parseConfig(yaml, { file: 'test.yaml', env });

describe('shipped configurations', () => {
  it('config.example.yaml validates', async () => {
    const config = await loadConfig(join(projectRoot, 'config.example.yaml'), { env: EXAMPLE_ENV });
    expect(config.exchanges.binance).toMatchObject({
      type: 'ccxt',
      apiKey: EXAMPLE_ENV.BINANCE_API_KEY,
      testnet: true,
    });
    expect(config.trading.symbols.map((symbol) => symbol.symbol)).toEqual(['ETHUSDT', 'BTCUSDT']);
  });

  it('every examples/ha instance validates: Redis lock, PostgreSQL, venue through base_url', async () => {
    const dir = join(projectRoot, 'examples/ha');
    const files = (await readdir(dir)).filter((name) => name.endsWith('.yaml')).sort();
    expect(files).toEqual(['instance-1.yaml', 'instance-2.yaml', 'instance-3.yaml']);
    for (const [index, file] of files.entries()) {
      const config = await loadConfig(join(dir, file), { env: EXAMPLE_ENV, standby: file === 'instance-3.yaml' });
      expect(config.instance).toEqual({ id: `instance-${index + 1}`, index });
      expect(config.distributedLock).toMatchObject({
        enabled: true,
        type: 'redis',
        redis: { addr: 'redis:6379', password: EXAMPLE_ENV.QM_REDIS_PASSWORD },
      });
      expect(config.database.connection).toMatchObject({
        dialect: 'postgres',
        hosts: [{ host: 'postgres', port: 5432 }],
        password: EXAMPLE_ENV.QM_PG_PASSWORD,
        database: 'quantmesh',
      });
      expect(config.exchanges.binance).toMatchObject({ type: 'ccxt', baseUrl: 'http://sim-venue:8090' });
      expect(config.web.port).toBe(8081 + index);
      expect(config.coordination.standby).toBe(file === 'instance-3.yaml');
    }
  });

  it('the embedded default is one SQLite instance on the sim venue with three demo symbols and no lock', () => {
    const config = embeddedDefaultConfig();
    expect(config.database.connection).toEqual({ dialect: 'sqlite', filename: './data/quantmesh.db' });
    expect(config.exchanges).toEqual({ sim: expect.objectContaining({ type: 'sim' }) });
    expect(config.trading.symbols.map((symbol) => [symbol.symbol, symbol.orderQuantity])).toEqual([
      ['BTCUSDT', '30'],
      ['ETHUSDT', '30'],
      ['SOLUSDT', '30'],
    ]);
    expect(config.distributedLock.enabled).toBe(false);
  });
});

describe('values', () => {
  it('keeps decimals exact through their source text', () => {
    const config = parse(
      BASE.replace('"0.1"', '0.1').replace('"30"', '30.10') +
        '    - {exchange: sim, symbol: ETHUSDT, price_interval: 1e-3, order_quantity: "0.30000000000000004"}\n',
    );
    expect(config.trading.symbols.map((symbol) => [symbol.priceInterval, symbol.orderQuantity])).toEqual([
      ['0.1', '30.1'],
      ['0.001', '0.30000000000000004'],
    ]);
  });

  it('normalises durations to milliseconds: bare seconds, units, compound text', () => {
    const config = parse(
      `${BASE}database: {conn_max_lifetime: 3600}\nstorage: {flush_interval: 500ms}\ncoordination: {lease_ttl: 1m30s, heartbeat_interval: 0.5}\n`,
    );
    expect(config.database.connMaxLifetime).toBe(3_600_000);
    expect(config.storage.flushInterval).toBe(500);
    expect(config.coordination).toMatchObject({ leaseTtl: 90_000, heartbeatInterval: 500 });
  });

  it('applies defaults from the defaults module, and sell_window_size follows buy_window_size', () => {
    const config = parse(BASE.replace('order_quantity: "30"', 'order_quantity: "30", buy_window_size: 7'));
    const symbol = config.trading.symbols[0]!;
    expect(symbol).toMatchObject({
      buyWindowSize: 7,
      sellWindowSize: 7,
      orderCleanupThreshold: 50,
      cleanupBatchSize: 10,
      marginLockDurationSeconds: 10_000,
      reconcileInterval: 60_000,
    });
    expect(config.system).toEqual(DEFAULTS.system);
    expect(config.exchanges.sim).toMatchObject({ market: 'future' });
    expect(config.riskControl).toMatchObject({ interval: '1m', volumeMultiplier: '3' });
  });

  it('is deeply frozen', () => {
    const config = parse(BASE);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.trading.symbols[0])).toBe(true);
    expect(() => {
      (config.web as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("parses the design's postgres keyword DSN and Go MySQL DSN into one connection shape", () => {
    const postgres = parse(
      `${BASE}database:\n  type: postgres\n  dsn: "host=localhost user=quantmesh password=secret dbname=quantmesh port=5432 sslmode=disable"\n`,
    );
    expect(postgres.database.connection).toEqual({
      dialect: 'postgres',
      hosts: [{ host: 'localhost', port: 5432 }],
      user: 'quantmesh',
      password: 'secret',
      database: 'quantmesh',
      params: { sslmode: 'disable' },
    });
    const mysql = parse(
      `${BASE}database:\n  type: mysql\n  dsn: "quantmesh:secret@tcp(localhost:3306)/quantmesh?charset=utf8mb4&parseTime=True&loc=Local"\n`,
    );
    expect(mysql.database.connection).toMatchObject({
      dialect: 'mysql',
      hosts: [{ host: 'localhost', port: 3306 }],
      user: 'quantmesh',
      password: 'secret',
      database: 'quantmesh',
    });
  });

  it("accepts the design's lock sections for etcd and the database", () => {
    const etcd = parse(
      `${BASE}instance: {id: a}\ndistributed_lock:\n  enabled: true\n  type: etcd\n  etcd:\n    endpoints: ["http://127.0.0.1:2379", "etcd2:2379"]\n    auth: {username: root, password: pw}\n`,
    );
    expect(etcd.distributedLock.etcd).toEqual({
      endpoints: ['http://127.0.0.1:2379', 'etcd2:2379'],
      auth: { username: 'root', password: 'pw' },
      tls: false,
    });
    // The database lock on SQLite is allowed: it coordinates processes sharing one file on one host.
    const sqlite = parse(`${BASE}instance: {id: a}\ndistributed_lock: {enabled: true, type: database}\n`);
    expect(sqlite.distributedLock.type).toBe('database');
  });
});

describe('environment substitution', () => {
  it('replaces ${VAR} and ${VAR:-default} in any scalar, typed by the key it fills', () => {
    const config = parse(
      `${BASE}web:\n  port: \${QM_PORT}\n  host: "\${QM_HOST:-0.0.0.0}"\n  enabled: \${QM_WEB}\n  api_key: "k-\${QM_KEY}"\n`,
      { QM_PORT: '9001', QM_WEB: 'false', QM_KEY: 'abc' },
    );
    expect(config.web).toEqual({ port: 9001, host: '0.0.0.0', enabled: false, apiKey: 'k-abc' });
  });

  it('uses the default for a set but empty variable, and $$ for a literal dollar', () => {
    const config = parse(`${BASE}web:\n  host: "\${QM_HOST:-h1}"\n  api_key: "a$$b"\n`, { QM_HOST: '' });
    expect(config.web).toMatchObject({ host: 'h1', apiKey: 'a$b' });
  });

  it('checks a substituted value like a written one', () => {
    expect(() => parse(`${BASE}web:\n  port: \${QM_PORT}\n`, { QM_PORT: 'eighty' })).toThrow(
      /web.port: must be an integer/,
    );
  });
});

describe('reporting', () => {
  it('reports every problem together, in line order', () => {
    let caught: unknown;
    try {
      parse(
        `${BASE}web: {port: x}\nsystem: {log_level: loud}\nstorage: {batch_size: 0}\ndatabase: {type: mysql}\nbogus: 1\n`,
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const issues = (caught as ConfigError).issues;
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['web.port', 6],
      ['system.log_level', 7],
      ['storage.batch_size', 8],
      ['database.dsn', 9],
      ['bogus', 10],
    ]);
  });

  it('reports a key whose ${VAR} is unset once, and still checks its neighbours', () => {
    let caught: ConfigError | undefined;
    try {
      parse(
        `exchanges:\n  binance: {api_key: "\${QM_UNSET_KEY}"}\ntrading: {symbols: [{exchange: binance, symbol: X, price_interval: 1, order_quantity: 1}]}\ndatabase: {type: postgres, dsn: "\${QM_UNSET_DSN}"}\n`,
      );
    } catch (error) {
      caught = error as ConfigError;
    }
    expect(caught?.issues.map((issue) => [issue.path, issue.message.replace(/ \(.*$/, '').slice(0, 40)])).toEqual([
      ['exchanges.binance.api_key', 'environment variable QM_UNSET_KEY is not'],
      ['exchanges.binance.secret_key', 'is required for the real venue binance'],
      ['database.dsn', 'environment variable QM_UNSET_DSN is not'],
    ]);
  });

  it('names a missing file', async () => {
    await expect(loadConfig('/nonexistent/quantmesh.yaml')).rejects.toThrow(
      /quantmesh.yaml:1: \(root\): file not found/,
    );
  });

  it('--standby needs the lock enabled', () => {
    expect(() => parseConfig(BASE, { file: 'x.yaml', env: {}, standby: true })).toThrow(
      /coordination.standby: a hot standby needs distributed_lock enabled/,
    );
  });
});
