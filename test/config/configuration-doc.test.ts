/** docs/configuration.md documents every key the schema accepts (read from a file that sets them all). */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/schema/config-schema.js';
import { parseConfig } from '../../src/config/load-config.js';
import { projectRoot } from '../harness/child-process.js';

/** Every optional section present, so encoding yields every key. */
const FULL = `instance: {id: a}
distributed_lock:
  enabled: true
  redis: {addr: "r:6379", addrs: null}
  etcd: {endpoints: ["e:2379"], auth: {username: u, password: p}}
exchanges:
  binance: {api_key: k, secret_key: s, passphrase: x, base_url: "http://h:1", rate_limits: {weight_per_minute: 1, orders_per_10s: 1, orders_per_minute: 1}}
  sim: {type: sim, symbols: [{symbol: BTCUSDT, initial_price: 1, tick_size: 1, step_size: 1}]}
trading:
  symbols: [{exchange: sim, symbol: BTCUSDT, price_interval: 1, order_quantity: 30, sell_window_size: 3, min_order_value: 5, max_leverage: 3}]
web: {api_key: w}
config_centre: {endpoints: ["e:2379"], auth: {username: u, password: p}}
notifications: {webhook: {url: "https://h/x"}, telegram: {bot_token: t, chat_id: c}, slack: {webhook_url: "https://hooks.slack.com/services/x"}}
`;

function keyPaths(value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (Array.isArray(value)) value.forEach((item) => keyPaths(item, `${prefix}[]`, out));
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const name = prefix === 'exchanges' ? '<name>' : key;
      const path = prefix === '' ? name : `${prefix}.${name}`;
      if (prefix !== 'exchanges') out.add(path);
      keyPaths(child, path, out);
    }
  }
  return out;
}

describe('configuration reference', () => {
  it('lists every key with its type and default', async () => {
    const doc = await readFile(join(projectRoot, 'docs/configuration.md'), 'utf8');
    const encoded = configSchema.encode(parseConfig(FULL, { file: 'full.yaml', env: {} }));
    const sections = new Set(Object.keys(encoded as object));
    const leaves = [...keyPaths(encoded, '', new Set())].filter(
      (path) =>
        !sections.has(path) &&
        !/\.(redis|etcd|auth|webhook|telegram|slack|grid_risk_control|rate_limits)$/.test(path) &&
        path !== 'trading.symbols' &&
        path !== 'exchanges.<name>.symbols',
    );
    expect(leaves.length).toBeGreaterThan(70);
    const missing = leaves.filter((path) => !doc.includes(`| \`${path}\` |`));
    expect(missing).toEqual([]);
  });
});
