/** `quantmesh config push|pull --config FILE` against a real etcd (R7), as child processes. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdConfigCentre } from '../../src/coordination/config-centre/etcd/etcd-config-centre.js';
import { startTsProcess } from '../harness/child-process.js';
import { startEtcd } from '../harness/etcd.js';

const etcd = await startEtcd();
const PREFIX = '/qm-cli-test/';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qm-config-centre-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await etcd.close();
});

async function quantmesh(args: readonly string[], env: Record<string, string> = {}) {
  const child = startTsProcess('src/cli/bin.ts', args, { env });
  const code = await child.exited;
  return { code, output: child.output() };
}

const fileFor = (id: string, orderQuantity: string) =>
  [
    `instance: { id: ${id} }`,
    `config_centre: { enabled: true, endpoints: ["${etcd.endpoint}"], prefix: "${PREFIX}" }`,
    'exchanges:',
    '  binance: { api_key: "${QM_TEST_PUSH_KEY}", secret_key: "${QM_TEST_PUSH_SECRET}" }',
    'trading:',
    `  symbols: [{ exchange: binance, symbol: BTCUSDT, price_interval: "50", order_quantity: ${orderQuantity} }]`,
    '',
  ].join('\n');

const SECRETS = { QM_TEST_PUSH_KEY: 'push-key-1234', QM_TEST_PUSH_SECRET: 'push-secret-5678' };

describe('quantmesh config push / pull', () => {
  it('push stores a valid file verbatim under its instance.id (secrets stay ${VAR}), and pull prints it', async () => {
    const file = join(dir, 'valid.yaml');
    await writeFile(file, fileFor('push-1', '"30"'));
    const pushed = await quantmesh(['config', 'push', '--config', file], SECRETS);
    expect(pushed.output).toMatch(new RegExp(`valid; stored as ${PREFIX}push-1 at revision \\d+ \\(previous: none\\)`));
    expect(pushed.code).toBe(0);
    const centre = new EtcdConfigCentre({ endpoints: [etcd.endpoint], prefix: PREFIX });
    try {
      const stored = await centre.get('push-1');
      expect(stored?.text).toBe(fileFor('push-1', '"30"'));
      expect(stored?.text).not.toContain(SECRETS.QM_TEST_PUSH_KEY);
      // A second push compares with the revision it read, and names it.
      const again = await quantmesh(['config', 'push', '--config', file], SECRETS);
      expect(again.code).toBe(0);
      expect(again.output).toContain(`(previous: ${stored!.revision})`);
    } finally {
      await centre.close();
    }
    const pulled = await quantmesh(['config', 'pull', '--config', file]);
    expect(pulled.code).toBe(0);
    expect(pulled.output).toContain(fileFor('push-1', '"30"'));
    expect(pulled.output).toMatch(new RegExp(`# ${PREFIX}push-1 at revision \\d+`));
  }, 60_000);

  it('push refuses an invalid file with its path, line and key, and stores nothing', async () => {
    const file = join(dir, 'invalid.yaml');
    await writeFile(file, fileFor('push-2', 'abc'));
    const { code, output } = await quantmesh(['config', 'push', '--config', file], SECRETS);
    expect(code).toBe(1);
    expect(output).toContain(`${file}:6: trading.symbols[0].order_quantity: must be a decimal number`);
    const centre = new EtcdConfigCentre({ endpoints: [etcd.endpoint], prefix: PREFIX });
    try {
      expect(await centre.get('push-2')).toBeUndefined();
    } finally {
      await centre.close();
    }
  }, 60_000);

  it('pull of a name nothing was pushed under exits 1 naming the key', async () => {
    const file = join(dir, 'absent.yaml');
    await writeFile(file, fileFor('never-pushed', '"30"'));
    const { code, output } = await quantmesh(['config', 'pull', '--config', file]);
    expect(code).toBe(1);
    expect(output).toContain(`${PREFIX}never-pushed`);
    expect(output).toContain('no configuration stored in etcd');
  }, 60_000);
});
