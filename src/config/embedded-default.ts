/**
 * The configuration used when no `--config` is given: one instance on SQLite, the built-in simulated
 * venue, three demo symbols, no distributed lock. It goes through the same loader as any file.
 */
import { parseConfig, type QuantMeshConfig } from './load-config.js';

export const EMBEDDED_DEFAULT_FILE = '<embedded default>';

export const EMBEDDED_DEFAULT_YAML = `# QuantMesh embedded default: a laptop demo against the simulated venue.
instance:
  id: local
database:
  type: sqlite
  dsn: ./data/quantmesh.db
distributed_lock:
  enabled: false
exchanges:
  sim:
    type: sim
    seed: 42
    symbols:
      - { symbol: BTCUSDT, initial_price: "60000", tick_size: "0.1", step_size: "0.0001", min_notional: "5" }
      - { symbol: ETHUSDT, initial_price: "3000", tick_size: "0.01", step_size: "0.001", min_notional: "5" }
      - { symbol: SOLUSDT, initial_price: "150", tick_size: "0.01", step_size: "0.01", min_notional: "5" }
trading:
  symbols:
    - { exchange: sim, symbol: BTCUSDT, price_interval: "50", order_quantity: "30" }
    - { exchange: sim, symbol: ETHUSDT, price_interval: "5", order_quantity: "30" }
    - { exchange: sim, symbol: SOLUSDT, price_interval: "0.5", order_quantity: "30" }
`;

export function embeddedDefaultConfig(options: { standby?: boolean } = {}): QuantMeshConfig {
  // The default holds no ${VAR}; an empty environment keeps it the same on every machine.
  return parseConfig(EMBEDDED_DEFAULT_YAML, {
    file: EMBEDDED_DEFAULT_FILE,
    env: {},
    standby: options.standby === true,
  });
}
