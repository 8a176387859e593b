/**
 * `exchanges.<name>`: a real venue through ccxt (the name is the ccxt id, e.g. `binance`), or the
 * built-in simulated venue (`type: sim`). `base_url` points a ccxt venue at another host, such as a
 * `quantmesh sim-venue`.
 */
import { DEFAULTS, PASSPHRASE_VENUES } from '../defaults.js';
import { report } from './field.js';
import { boolean, decimal, duration, integer, oneOf, string, url } from './scalars.js';
import { list, object, optional, record, variant, withDefault } from './structure.js';

const MARKETS = ['future', 'spot'] as const;
const SYMBOL = { test: /^[A-Za-z0-9][A-Za-z0-9/:_-]*$/, allowed: 'a venue symbol such as BTCUSDT' };

export const symbolName = (): ReturnType<typeof string> => string({ pattern: SYMBOL });

const ccxtExchange = object(
  {
    type: withDefault(oneOf(['ccxt']), 'ccxt'),
    api_key: optional(string({ secret: true })),
    secret_key: optional(string({ secret: true })),
    passphrase: optional(string({ secret: true })),
    fee_rate: withDefault(decimal({ min: '0', max: '0.1' }), DEFAULTS.exchange.feeRate),
    testnet: withDefault(boolean(), DEFAULTS.exchange.testnet),
    market: withDefault(oneOf(MARKETS), DEFAULTS.exchange.market),
    base_url: optional(url()),
    /** Paper trading: the venue's public market data, orders matched locally; needs no keys. */
    paper: withDefault(boolean(), false),
    /** The account's limits the cluster shares (docs/venues.md); absent ones: the venue's published limits where known. */
    rate_limits: object({
      weight_per_minute: optional(integer({ min: 1 })),
      orders_per_10s: optional(integer({ min: 1 })),
      orders_per_minute: optional(integer({ min: 1 })),
      use_fraction: withDefault(decimal({ positive: true, max: '1' }), '0.9'),
    }),
  },
  {
    check(value, locate, ctx) {
      if (value.paper) return;
      // The venue is the entry's name (`exchanges.<name>`), which decides the credentials it needs.
      const name = locate().path.split('.').pop()!;
      for (const key of requiredCredentials(name)) {
        const given = { api_key: value.apiKey, secret_key: value.secretKey, passphrase: value.passphrase }[key];
        if (given?.trim() === '' || !locate(key).found) {
          report(
            ctx,
            locate(key),
            `is required for the real venue ${name} (use \${ENV_VAR} to keep it out of the file)`,
            { allowed: 'a non-empty string' },
          );
        }
      }
    },
  },
);

const simSymbol = object({
  symbol: symbolName(),
  initial_price: decimal({ positive: true }),
  tick_size: decimal({ positive: true }),
  step_size: decimal({ positive: true }),
  min_notional: withDefault(decimal({ min: '0' }), '5'),
});

const simExchange = object({
  type: oneOf(['sim']),
  seed: withDefault(integer({ min: 0 }), DEFAULTS.sim.seed),
  volatility: withDefault(decimal({ min: '0', max: '1' }), DEFAULTS.sim.volatility),
  tick_interval: withDefault(duration(), DEFAULTS.sim.tickIntervalMs),
  fee_rate: withDefault(decimal({ min: '0', max: '0.1' }), DEFAULTS.exchange.feeRate),
  market: withDefault(oneOf(MARKETS), DEFAULTS.exchange.market),
  /** Markets the simulator lists; empty means built-in markets for the traded symbols. */
  symbols: list(simSymbol),
});

export const exchangesSchema = record(variant('type', { ccxt: ccxtExchange, sim: simExchange }, 'ccxt'), {
  keyPattern: /^[a-z][a-z0-9_-]*$/,
  keyAllowed: 'a lower-case name (the ccxt id for a real venue, e.g. binance)',
});

/** Which credentials a real venue needs. */
function requiredCredentials(name: string): readonly ('api_key' | 'secret_key' | 'passphrase')[] {
  return PASSPHRASE_VENUES.includes(name) ? ['api_key', 'secret_key', 'passphrase'] : ['api_key', 'secret_key'];
}
