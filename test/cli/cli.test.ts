/** The CLI as a real child process: version, help, config check exit codes, and the run command's lifecycle (R5). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, startProcess, startTsProcess } from '../harness/child-process.js';
import { freePort } from '../harness/free-port.js';
import { sharedRedis } from '../harness/redis.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { EXAMPLE_ENV } from '../config/example-env.js';

const BIN = 'src/cli/bin.ts';

async function run(args: readonly string[], env: Record<string, string> = {}) {
  const child = startTsProcess(BIN, args, { env });
  const code = await child.exited;
  return { code, output: child.output() };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('quantmesh CLI', () => {
  it('--version prints the package version', async () => {
    const manifest = JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { version: string };
    expect(await run(['--version'])).toEqual({ code: 0, output: `${manifest.version}\n` });
  });

  it('--help documents every command and option', async () => {
    const root = await run(['--help']);
    expect(root.code).toBe(0);
    expect(root.output).toMatch(/--config <file>/);
    expect(root.output).toMatch(/--standby/);
    expect(root.output).toMatch(/config\s+work with configuration files/);
    const check = await run(['config', 'check', '--help']);
    expect(check.code).toBe(0);
    expect(check.output).toMatch(/Usage: quantmesh config check \[options\] <file>/);
  });

  it('config check prints a valid file with its secrets masked and exits 0', async () => {
    const { code, output } = await run(['config', 'check', 'examples/ha/instance-1.yaml'], EXAMPLE_ENV);
    expect(code).toBe(0);
    expect(output).toMatch(/instance-1.yaml: valid/);
    expect(output).toMatch(/dsn: host=postgres port=5432 user=quantmesh password=\*\*\* dbname=quantmesh/);
    for (const secret of Object.values(EXAMPLE_ENV)) expect(output).not.toContain(secret);
  });

  it('config check lists every problem of an invalid file and exits 1, without echoing secrets', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(
      file,
      'exchanges:\n  binance: {api_key: "leaked-key-123"}\ntrading:\n  symbols:\n    - {exchange: binance, symbol: BTCUSDT, price_interval: abc, order_quantity: "30"}\nweb: {prot: 1}\n',
    );
    const { code, output } = await run(['config', 'check', file]);
    expect(code).toBe(1);
    expect(output).toContain(`${file}:2: exchanges.binance.secret_key: is required`);
    expect(output).toContain(`${file}:5: trading.symbols[0].price_interval: must be a decimal number`);
    expect(output).toContain(`${file}:6: web.prot: unknown key; did you mean "port"?`);
    expect(output).not.toContain('leaked-key-123');
  });

  it('exits 1 on a usage error', async () => {
    expect((await run(['config', 'check'])).code).toBe(1);
  });

  // The embedded default's whole run (trades, /health, SIGINT, no order left) is test/app/embedded-default.test.ts.

  it('runs --config=FILE --standby until SIGTERM: opens the lock, storage and venue, trades nothing before its lease TTL, logs no secret', async () => {
    const { prefix } = await sharedRedis();
    const secrets = {
      QM_TEST_BINANCE_KEY: 'cli-binance-key-4321',
      QM_TEST_BINANCE_SECRET: 'cli-binance-secret-8765',
      QM_TEST_WEB_KEY: 'cli-web-key-1111',
    };
    const account = {
      apiKey: secrets.QM_TEST_BINANCE_KEY,
      apiSecret: secrets.QM_TEST_BINANCE_SECRET,
      accountId: 'cli-standby',
    };
    const venue = await startSimVenueServer({ seed: 1, symbols: simSymbolsNamed(['BTCUSDT']), accounts: [account] });
    const file = join(dir, 'standby.yaml');
    await writeFile(
      file,
      [
        'instance: { id: standby-1, index: 2 }',
        `database: { type: sqlite, dsn: ${join(dir, 'standby.db')} }`,
        `distributed_lock: { enabled: true, type: redis, prefix: "${prefix}", redis: { addr: "127.0.0.1:6379" } }`,
        'exchanges:',
        `  binance: { api_key: "\${QM_TEST_BINANCE_KEY}", secret_key: "\${QM_TEST_BINANCE_SECRET}", base_url: "${venue.url}" }`,
        // The standby campaigns only after one lease TTL: not within this test.
        'coordination: { lease_ttl: 60s }',
        'trading:',
        '  symbols: [{ exchange: binance, symbol: BTCUSDT, price_interval: "50", order_quantity: "100" }]',
        `storage: { spool_path: ${join(dir, 'spool')} }`,
        `web: { port: ${await freePort()}, api_key: "\${QM_TEST_WEB_KEY}" }`,
        '',
      ].join('\n'),
    );
    const child = startProcess(process.execPath, ['--import', 'tsx', BIN, `--config=${file}`, '--standby'], {
      env: secrets,
    });
    try {
      await child.waitForLine(/"msg":"running/);
      expect(child.output()).toMatch(
        /"instance":"standby-1".*standby: campaigning for the symbols once one lease TTL has passed/,
      );
      expect(child.output()).toMatch(/"mode":"standby","ownership":"waiting","state":"ready"/);
      child.signal('SIGTERM');
      expect(await child.exited).toBe(0);
      expect(venue.engine.openOrders(account.accountId, 'BTCUSDT')).toEqual([]);
      for (const secret of Object.values(secrets)) expect(child.output()).not.toContain(secret);
    } finally {
      await child.kill();
      await venue.close();
    }
  });

  it('refuses --standby on a single instance and an invalid --config, exit 1', async () => {
    const standby = await run(['--standby']);
    expect(standby.code).toBe(1);
    expect(standby.output).toMatch(/coordination.standby: a hot standby needs distributed_lock enabled/);
    const missing = await run(['--config', join(dir, 'absent.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.output).toMatch(/absent.yaml:1: \(root\): file not found/);
  });
});
