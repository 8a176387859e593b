/**
 * R7 end to end, in process: an instance (SQLite, the in-process sim venue) started from a bootstrap
 * file whose configuration is stored in a real etcd. A put of a new order quantity and buy window
 * reaches the running grid without a restart (the venue gets the extra buys, sized with the new
 * quantity); an invalid put and a delete are logged and ignored; a changed database section logs
 * "restart needed" while the log level in the same put applies at once. After etcd restarted on a
 * wiped data dir (revisions from 1 again), the document an operator pushes to the new store is
 * applied as well (issue 14).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadInstanceConfig } from '../../src/app/instance-config.js';
import { type InstanceHandle, runInstance } from '../../src/app/run-instance.js';
import { createEtcdClient } from '../../src/coordination/etcd/etcd-client.js';
import { EtcdConfigCentre } from '../../src/coordination/config-centre/etcd/etcd-config-centre.js';
import { captureLogs } from '../../src/observability/logger.js';
import { startEtcd } from '../harness/etcd.js';
import { readSqlite } from './quantmesh-process.js';
import { eventually } from '../harness/until.js';

const etcd = await startEtcd();
const PREFIX = '/qm-live/';
const dir = await mkdtemp(join(tmpdir(), 'qm-config-live-'));
afterAll(async () => {
  await etcd.close();
  await rm(dir, { recursive: true, force: true });
});

/** The instance's configuration as stored in etcd; the sim's price stands still (volatility 0), so only settings move orders. */
const documentWith = (symbol: string, database = '', system = 'info', id = 'live-1') =>
  [
    `instance: { id: ${id} }`,
    `database: { type: sqlite, dsn: ${join(dir, `${id}.db`)}${database} }`,
    'exchanges:',
    '  sim: { type: sim, seed: 42, volatility: "0", tick_interval: 100ms, symbols: [{ symbol: BTCUSDT, initial_price: "60000", tick_size: "0.1", step_size: "0.0001", min_notional: "5" }] }',
    'trading:',
    `  symbols: [{ exchange: sim, symbol: BTCUSDT, price_interval: "50", ${symbol} }]`,
    `storage: { spool_path: ${join(dir, `${id}.spool`)}, flush_interval: 50ms }`,
    'web: { enabled: false }',
    `system: { log_level: ${system} }`,
    '',
  ].join('\n');

const workingBuys = (id = 'live-1') =>
  readSqlite(
    join(dir, `${id}.db`),
    (db) =>
      db
        .prepare(
          "select price, quantity from orders where side = 'BUY' and status in ('PENDING_NEW', 'NEW') order by price desc",
        )
        .all() as { price: string; quantity: string }[],
  );

describe('configuration centre: live changes', () => {
  it('a put reaches the running grid without a restart; an invalid put is ignored; a database change asks for a restart', async () => {
    const centre = new EtcdConfigCentre({ endpoints: [etcd.endpoint], prefix: PREFIX });
    const bootstrap = join(dir, 'bootstrap.yaml');
    await writeFile(
      bootstrap,
      `instance: { id: live-1 }\nconfig_centre: { enabled: true, endpoints: ["${etcd.endpoint}"], prefix: "${PREFIX}" }\n`,
    );
    const first = await centre.put('live-1', documentWith('order_quantity: "30", buy_window_size: 3'));
    const logs = captureLogs({ level: 'info' });
    let instance: InstanceHandle | undefined;
    try {
      const config = await loadInstanceConfig(bootstrap, { env: {} });
      expect(config.trading.symbols[0]!.buyWindowSize).toBe(3);
      instance = await runInstance(config, { logger: logs.logger, standby: false, statusIntervalMs: 60_000 });
      const status = () => instance!.status().symbols[0]!;
      await eventually(status, (s) => s.state === 'running' && s.workingOrders === 3, 'three working buys');
      const before = await eventually(workingBuys, (rows) => rows.length === 3, 'three stored buys');
      // 30 USDT at 59,950 / 59,900 / 59,850 is 0.0005 BTC (floored to the 0.0001 step).
      expect(before.map((row) => row.quantity)).toEqual(['0.0005', '0.0005', '0.0005']);

      const second = await centre.put('live-1', documentWith('order_quantity: "120", buy_window_size: 5'), {
        expectRevision: first,
      });
      await eventually(status, (s) => s.workingOrders === 5, 'five working buys after the put');
      const after = await eventually(workingBuys, (rows) => rows.length === 5, 'five stored buys');
      // The working buys keep their size; the two new ones are sized with 120 USDT.
      expect(after.map((row) => [row.price, row.quantity])).toEqual([
        ['59950', '0.0005'],
        ['59900', '0.0005'],
        ['59850', '0.0005'],
        ['59800', '0.002'],
        ['59750', '0.002'],
      ]);
      const applied = logs.records().filter((record) => String(record.msg).startsWith('configuration applied'));
      // sell_window_size defaults to the buy window, so it follows.
      expect(applied.map((record) => [record.msg, record.changes])).toEqual([
        [
          'configuration applied: sim:BTCUSDT order_quantity, buy_window_size, sell_window_size',
          [
            { key: 'trading.symbols[0].order_quantity', from: '30', to: '120' },
            { key: 'trading.symbols[0].buy_window_size', from: 3, to: 5 },
            { key: 'trading.symbols[0].sell_window_size', from: 3, to: 5 },
          ],
        ],
      ]);
      // Loading at start and the watch's first delivery of the same document changed nothing.
      expect(logs.records().filter((record) => String(record.msg).includes('restart needed'))).toEqual([]);

      await centre.put('live-1', documentWith('order_quantity: abc, buy_window_size: 9'), { expectRevision: second });
      const refused = await eventually(
        () =>
          logs
            .records()
            .find(
              (record) =>
                typeof record.msg === 'string' &&
                record.msg.startsWith('invalid configuration in the configuration centre ignored'),
            ),
        (record) => record !== undefined,
        'the invalid put logged',
      );
      expect(refused!.problems).toEqual([
        expect.stringMatching(
          new RegExp(`^${PREFIX}live-1:6: trading\\.symbols\\[0\\]\\.order_quantity: must be a decimal number`),
        ),
      ]);
      expect(status()).toMatchObject({ state: 'running', workingOrders: 5 });

      await centre.put(
        'live-1',
        documentWith('order_quantity: "120", buy_window_size: 5', ', max_open_conns: 50', 'warn'),
      );
      const restart = await eventually(
        () => logs.records().find((record) => typeof record.msg === 'string' && record.msg.includes('restart needed')),
        (record) => record !== undefined,
        'the restart warning',
      );
      expect(restart!.keys).toEqual(['database.max_open_conns']);
      // The log level is applied live in the same change.
      expect(logs.logger.level).toBe('warn');
      expect(logs.records().find((record) => record.msg === 'configuration applied: log level')?.changes).toEqual([
        { key: 'system.log_level', from: 'info', to: 'warn' },
      ]);

      // An operator deleting the key (etcdctl del) leaves the instance on its last good configuration.
      const operator = createEtcdClient({ endpoints: [etcd.endpoint], callTimeoutMs: 1000 });
      await operator.delete().key(`${PREFIX}live-1`).exec();
      operator.close();
      await eventually(
        () => logs.records().some((record) => String(record.msg).startsWith('configuration deleted')),
        Boolean,
        'the delete logged',
      );
      expect(status()).toMatchObject({ state: 'running', workingOrders: 5 });
      expect(status()).toMatchObject({ state: 'running', workingOrders: 5 });
    } finally {
      await instance?.stop();
      await centre.close();
    }
  }, 90_000);
  it('after etcd restarted on a wiped data dir, a document pushed to the new store reaches the running grid', async () => {
    const own = await startEtcd();
    const id = 'live-wiped';
    const bootstrap = join(dir, `${id}.yaml`);
    await writeFile(
      bootstrap,
      `instance: { id: ${id} }\nconfig_centre: { enabled: true, endpoints: ["${own.endpoint}"], prefix: "${PREFIX}" }\n`,
    );
    const logs = captureLogs({ level: 'info' });
    let centre = new EtcdConfigCentre({ endpoints: [own.endpoint], prefix: PREFIX });
    let instance: InstanceHandle | undefined;
    try {
      // The old store's revisions run well past what the new one reaches here (lock keys do this in a cluster).
      for (let index = 0; index < 30; index += 1) await centre.put(`${id}-other`, String(index));
      await centre.put(id, documentWith('order_quantity: "30", buy_window_size: 3', '', 'info', id));
      instance = await runInstance(await loadInstanceConfig(bootstrap, { env: {} }), {
        logger: logs.logger,
        standby: false,
        statusIntervalMs: 60_000,
      });
      const status = () => instance!.status().symbols[0]!;
      await eventually(status, (s) => s.state === 'running' && s.workingOrders === 3, 'three working buys');

      await own.stop();
      await own.startEmpty();
      await centre.close();
      // The operator pushes the configuration again into the empty store.
      centre = new EtcdConfigCentre({ endpoints: [own.endpoint], prefix: PREFIX });
      const pushed = await centre.put(id, documentWith('order_quantity: "30", buy_window_size: 5', '', 'info', id));
      expect(pushed).toBeLessThan(30n);
      await eventually(status, (s) => s.workingOrders === 5, 'five working buys after the push to the wiped etcd');
      expect(
        await eventually(
          () => workingBuys(id),
          (rows) => rows.length === 5,
          'five stored buys',
        ),
      ).toHaveLength(5);
      expect(
        logs.records().find((record) => String(record.msg).startsWith('configuration applied: sim:BTCUSDT'))?.changes,
      ).toEqual([
        { key: 'trading.symbols[0].buy_window_size', from: 3, to: 5 },
        { key: 'trading.symbols[0].sell_window_size', from: 3, to: 5 },
      ]);
    } finally {
      await instance?.stop();
      await centre.close();
      await own.close();
    }
  }, 90_000);
});
