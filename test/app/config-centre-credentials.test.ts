/**
 * A wrong API key fixed through the configuration centre heals the symbol (issue 14, acceptance), on
 * one QuantMesh process whose configuration is stored in a real etcd, trading the sim venue (which
 * refuses a key it does not know, -2015) through the ccxt adapter, SQLite beside it:
 *  - the stored document names a key the venue refuses: the runner faults, `/health` answers 503
 *    naming the symbol and the venue's refusal, `quantmesh_symbol_state` shows `faulted`, and
 *    `symbol-faulted` reaches the webhook receiver;
 *  - the operator pushes the right key with `quantmesh config push`: the instance applies it without
 *    a restart, the faulted symbol starts again at once, the venue accepts its orders, `/health`
 *    answers 200 and `symbol-recovered` follows.
 * Neither key appears in the instance's output, its HTTP answers or the alerts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EtcdConfigCentre } from '../../src/coordination/config-centre/etcd/etcd-config-centre.js';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { startEtcd } from '../harness/etcd.js';
import { freePort } from '../harness/free-port.js';
import { until } from '../harness/until.js';
import { startWebhookReceiver } from '../harness/webhook-receiver.js';
import { simVenueTradingYaml, sqliteInstanceYaml, startQuantMesh } from './quantmesh-process.js';

const SYMBOL = 'BTCUSDT';
const ID = 'key-fix-1';
const PREFIX = '/qm-key-fix/';
const ACCOUNT = { apiKey: 'key-fix-right-7c41d2', apiSecret: 'key-fix-secret-90ab3e', accountId: 'key-fix' };
const WRONG_KEY = 'key-fix-wrong-52f8e0';

describe('a wrong API key fixed through the configuration centre', () => {
  const cleanup = cleanupAfterAll();

  it('heals the faulted symbol without a restart: orders accepted, /health 200, symbol-recovered; no key shown', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-key-fix-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const etcd = await startEtcd();
    cleanup.push(() => etcd.close());
    const refused: { path: string; code: number }[] = [];
    const venue = await startSimVenueServer({
      seed: 20261202,
      symbols: simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 0.5 })),
      accounts: [ACCOUNT],
      stepIntervalMs: 25,
      onRequestError: (summary) => refused.push(summary),
    });
    cleanup.push(() => venue.close());
    const webhook = await startWebhookReceiver();
    cleanup.push(() => webhook.close());
    const webPort = await freePort();

    const bootstrap = `instance: { id: ${ID} }\nconfig_centre: { enabled: true, endpoints: ["${etcd.endpoint}"], prefix: "${PREFIX}" }\n`;
    const documentWith = (apiKey: string) =>
      `${sqliteInstanceYaml(ID, dir)}${simVenueTradingYaml(venue.url, { ...ACCOUNT, apiKey }, SYMBOL)}notifications:
  webhook:
    url: ${webhook.url}
    timeout: 2s
web:
  port: ${webPort}
`;
    const centre = new EtcdConfigCentre({ endpoints: [etcd.endpoint], prefix: PREFIX });
    cleanup.push(() => centre.close());
    await centre.put(ID, documentWith(WRONG_KEY));
    await writeFile(join(dir, 'bootstrap.yaml'), bootstrap);

    const instance = startQuantMesh(['--config', join(dir, 'bootstrap.yaml')], dir);
    cleanup.push(() => instance.kill());
    await instance.waitForLine(/running; send SIGINT/, 240_000);
    const answers: string[] = [];
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${webPort}${path}`);
      const text = await response.text();
      answers.push(text);
      return { status: response.status, text };
    };
    const symbolsHealth = async () => {
      const { status, text } = await get('/health');
      const report = JSON.parse(text) as { components: { name: string; cause?: string }[] };
      return { status, cause: report.components.find((component) => component.name === 'symbols')?.cause ?? '' };
    };
    const alerted = (kind: string) => webhook.received.find((alert) => alert.kind === kind);

    // The venue refuses the key: the symbol faults, and says so everywhere an operator looks.
    await until(async () => (await symbolsHealth()).status === 503, '/health 503 with the wrong key', 60_000);
    const faulted = await symbolsHealth();
    expect(faulted.cause).toContain(`binance:${SYMBOL} faulted`);
    expect(faulted.cause).toContain('AuthenticationError (venue code -2015)');
    expect((await get('/metrics')).text).toContain(
      `quantmesh_symbol_state{exchange="binance",symbol="${SYMBOL}",state="faulted"} 1`,
    );
    await until(() => alerted('symbol-faulted') !== undefined, 'symbol-faulted', 20_000);
    expect(alerted('symbol-faulted')).toMatchObject({ symbol: SYMBOL, instanceId: ID });
    expect(refused.some((request) => request.code === -2015)).toBe(true);
    expect(venue.engine.restingOrders(SYMBOL)).toEqual([]);

    // A retry with the refused key still there faults again: no recovery is claimed for it.
    await instance.waitForLine(/symbol starting again after a fault/, 30_000);
    await until(async () => (await symbolsHealth()).status === 503, '/health 503 after a retry', 30_000);
    expect(alerted('symbol-recovered')).toBeUndefined();

    // The operator pushes the right key; the instance takes it without a restart.
    const file = join(dir, 'fixed.yaml');
    await writeFile(file, bootstrap + documentWith(ACCOUNT.apiKey).replace(/^instance:\n {2}id: .*\n/, ''));
    const push = startQuantMesh(['config', 'push', '--config', file], dir);
    expect(await push.exited).toBe(0);
    await until(() => alerted('symbol-recovered') !== undefined, 'symbol-recovered', 60_000);
    expect(instance.output()).toMatch(/configuration applied: binance credentials \(api_key\)/);
    await until(
      () => venue.engine.restingOrders(SYMBOL).length > 0,
      'orders accepted by the venue with the fixed key',
      60_000,
    );
    await until(async () => (await symbolsHealth()).status === 200, '/health 200 after the fix', 60_000);
    expect((await get('/metrics')).text).toContain(
      `quantmesh_symbol_state{exchange="binance",symbol="${SYMBOL}",state="running"} 1`,
    );
    const status = JSON.parse((await get('/api/status')).text) as {
      symbols: { state: string; workingOrders: number }[];
    };
    expect(status.symbols[0]).toMatchObject({ state: 'running' });
    expect(instance.output()).not.toContain('restart needed');

    instance.signal('SIGINT');
    expect(await instance.exited).toBe(0);
    const shown = [instance.output(), push.output(), ...answers, JSON.stringify(webhook.received)].join('\n');
    for (const secret of [ACCOUNT.apiKey, WRONG_KEY, ACCOUNT.apiSecret]) expect(shown).not.toContain(secret);
  }, 400_000);
});
