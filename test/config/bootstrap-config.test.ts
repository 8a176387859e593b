/** Bootstrap files (R7): only `instance` and `config_centre` are read; the centre needs an instance id and an endpoint. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { parseBootstrap, parseConfig } from '../../src/config/load-config.js';

function issuesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError)
      return error.issues.map((issue) => `${issue.line}: ${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('bootstrap configuration', () => {
  it('reads instance and config_centre and leaves every other key alone', () => {
    const bootstrap = parseBootstrap(
      'instance: { id: i-1 }\nconfig_centre: { enabled: true, endpoints: ["127.0.0.1:2379"] }\ntrading: not even a map\n',
      { file: 'b.yaml', env: {} },
    );
    expect(bootstrap).toEqual({
      instance: { id: 'i-1', index: 0 },
      configCentre: { enabled: true, endpoints: ['127.0.0.1:2379'], prefix: '/quantmesh/config/', tls: false },
    });
  });

  it('an enabled centre needs instance.id and an endpoint, reported with their lines', () => {
    expect(
      issuesOf(() =>
        parseBootstrap('instance: { id: i-1 }\nconfig_centre:\n  enabled: true\n', { file: 'b.yaml', env: {} }),
      ),
    ).toEqual(['2: config_centre.endpoints: needs at least one etcd endpoint when config_centre is enabled']);
    expect(
      issuesOf(() =>
        parseBootstrap('config_centre:\n  enabled: true\n  endpoints: ["e:2379"]\n', { file: 'b.yaml', env: {} }),
      ),
    ).toEqual([
      '2: instance.id: is required when config_centre is enabled (its configuration is stored under this name)',
    ]);
  });

  it('a stored document is named by its bootstrap file: instanceId fills instance.id before the checks', () => {
    const document =
      'distributed_lock: { enabled: true, type: database }\nexchanges: { sim: { type: sim } }\ntrading: { symbols: [{ exchange: sim, symbol: BTCUSDT, price_interval: 1, order_quantity: 30 }] }\n';
    expect(issuesOf(() => parseConfig(document, { file: '/quantmesh/config/i-1', env: {} }))[0]).toMatch(
      /instance\.id: is required when distributed_lock is enabled/,
    );
    expect(parseConfig(document, { file: '/quantmesh/config/i-1', env: {}, instanceId: 'i-1' }).instance.id).toBe(
      'i-1',
    );
  });
});
