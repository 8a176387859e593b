/**
 * `npm run example:ha` runs as documented (R12, R1, R10): the sim venue, instances 1 and 2, the
 * standby instance 3 and nginx start from examples/ha as they are; every symbol trades; after a
 * SIGKILL of instance 1 the standby takes ETHUSDT and BTCUSDT over, seen through nginx's address;
 * SIGINT stops everything and leaves no working order in the database.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { projectRoot, startProcess } from '../harness/child-process.js';
import { freePort } from '../harness/free-port.js';
import { createPostgresDatabase } from '../harness/postgres.js';
import { sharedRedis } from '../harness/redis.js';
import { runTool } from '../harness/system-tool.js';
import { eventually, until } from '../harness/until.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';

const API_KEY = 'example-ha-test-key';
/** Four child processes compile from source on a machine shared with other test runs. */
const START_MS = 300_000;
/** lease_ttl of examples/ha (10 s) plus loading, reconciling and placing. */
const TAKEOVER_MS = 60_000;
const WORKING = ['PENDING_NEW', 'NEW', 'PARTIALLY_FILLED', 'PENDING_CANCEL'];

interface SymbolStatus {
  symbol: string;
  state: string;
  ownership: string;
  workingOrders: number;
}
interface Status {
  instanceId: string;
  mode: string;
  symbols: SymbolStatus[];
}

describe('npm run example:ha', () => {
  const cleanup = cleanupAfterAll();

  it('every symbol trades, the standby takes instance 1 over through nginx, and SIGINT stops everything', async () => {
    await runTool('nginx', ['-v']);
    const scripts = (
      JSON.parse(await readFile(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    expect(scripts['example:ha']).toBe('tsx examples/ha/run-local.ts');
    const dataDir = await mkdtemp(join(tmpdir(), 'qm-example-ha-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const database = await createPostgresDatabase();
    cleanup.push(() => database.drop());
    const redis = await sharedRedis();
    const [nginxPort, venuePort, ...instancePorts] = await Promise.all([1, 2, 3, 4, 5].map(() => freePort()));

    // What the npm script runs, started directly so that the signals reach it (npm does not forward them).
    const example = startProcess(
      process.execPath,
      [
        '--import',
        'tsx',
        'examples/ha/run-local.ts',
        '--nginx-port',
        String(nginxPort),
        '--venue-port',
        String(venuePort),
        '--instance-ports',
        instancePorts.join(','),
        '--database',
        database.name,
        '--lock-prefix',
        `${redis.prefix}lock:`,
        '--data-dir',
        dataDir,
        '--step-interval-ms',
        '250',
      ],
      {
        env: {
          QM_WEB_API_KEY: API_KEY,
          QM_PG_HOST: database.host,
          QM_PG_PORT: String(database.port),
          QM_REDIS_ADDR: new URL(redis.url).host,
        },
      },
    );
    cleanup.push(async () => {
      // Whatever is still running after a failure: the runner first, then what it started.
      await example.kill();
      for (const [, pid] of example.output().matchAll(/ pid (\d+) /g)) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    });
    await example.waitForLine(/\[example:ha\] ready:/, START_MS);
    const pidOf = (name: string) =>
      Number(new RegExp(`\\[example:ha\\] ${name} pid (\\d+)`).exec(example.output())![1]);

    const nginx = `http://127.0.0.1:${nginxPort}`;
    const status = async (id: string): Promise<Status> => {
      const response = await fetch(`${nginx}/instances/${id}/api/status`, { headers: { 'x-api-key': API_KEY } });
      if (!response.ok) throw new Error(`${id}: HTTP ${response.status}`);
      return response.json() as Promise<Status>;
    };
    const trading = (symbol: SymbolStatus | undefined) =>
      symbol?.ownership === 'owned' && symbol.state === 'running' && symbol.workingOrders > 0;
    const symbolsOf = (status: Status, names: readonly string[]) =>
      names.map((name) => status.symbols.find((symbol) => symbol.symbol === name));

    // Every symbol trades on its active instance; the standby waits.
    await until(
      async () => {
        const [one, two] = await Promise.all([status('instance-1'), status('instance-2')]);
        return (
          symbolsOf(one, ['ETHUSDT', 'BTCUSDT']).every(trading) && symbolsOf(two, ['BNBUSDT', 'SOLUSDT']).every(trading)
        );
      },
      'all four symbols trading on instances 1 and 2',
      120_000,
    );
    expect(await status('instance-3')).toMatchObject({ instanceId: 'instance-3', mode: 'standby' });
    expect((await status('instance-3')).symbols.every((symbol) => symbol.ownership !== 'owned')).toBe(true);
    // The shared address answers the cluster-wide routes and refuses the per-instance ones.
    expect((await fetch(`${nginx}/health`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
    const balancedStatus = await fetch(`${nginx}/api/status`, { headers: { 'x-api-key': API_KEY } });
    expect(balancedStatus.status).toBe(404);
    expect(await balancedStatus.json()).toEqual({
      error: '/api/status describes one instance: ask /instances/<instance-id>/api/status',
    });

    process.kill(pidOf('instance-1'), 'SIGKILL');
    await example.waitForLine(/instance-1 exited \(SIGKILL\)/, 10_000);
    const takenOver = await eventually(
      () => status('instance-3'),
      (three) => symbolsOf(three, ['ETHUSDT', 'BTCUSDT']).every(trading),
      'the standby trading ETHUSDT and BTCUSDT',
      TAKEOVER_MS,
    );
    expect(takenOver.mode).toBe('activated');
    expect(symbolsOf(await status('instance-2'), ['BNBUSDT', 'SOLUSDT']).every(trading)).toBe(true);
    // nginx keeps answering with instance 1 gone (passive checks: the refused connection moves the request on).
    for (let request = 0; request < 4; request += 1) {
      expect((await fetch(`${nginx}/health`, { headers: { 'x-api-key': API_KEY } })).status).toBe(200);
    }

    example.signal('SIGINT');
    await example.waitForLine(/\[example:ha\] stopped;/, 90_000);
    expect(await example.exited).toBe(0);
    for (const name of ['instance-2', 'instance-3', 'nginx', 'sim-venue']) {
      expect(() => process.kill(pidOf(name), 0), `${name} still runs`).toThrow();
    }
    // Each instance cancelled its grid's orders on the way out.
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const working = await client.query('SELECT count(*)::int AS n FROM orders WHERE status = ANY($1)', [WORKING]);
      const filled = await client.query("SELECT count(*)::int AS n FROM orders WHERE status = 'FILLED'");
      expect(working.rows[0].n).toBe(0);
      expect(filled.rows[0].n).toBeGreaterThan(0);
    } finally {
      await client.end();
    }
  }, 600_000);
});
