/**
 * From `exchanges.<name>` to an Exchange: the embedded sim venue (its listed markets, driven in real
 * time by its `tick_interval`) or a ccxt venue (optionally pointed at `base_url`, e.g. a sim-venue).
 */
import type { QuantMeshConfig } from '../config/load-config.js';
import { dec } from '../domain/decimal.js';
import { createExchange } from '../exchange/create-exchange.js';
import type { Exchange } from '../exchange/exchange.js';
import { SimClockDriver } from '../exchange/sim/sim-clock-driver.js';
import { SimExchange } from '../exchange/sim/sim-exchange.js';
import { SimMatchingEngine } from '../exchange/sim/sim-matching-engine.js';
import type { VenueLogger } from '../exchange/venue-logger.js';
import { simSymbolOf } from './config-mapping.js';

/** The account the embedded sim venue trades on. */
export const EMBEDDED_SIM_ACCOUNT = 'sim-account';

/** ccxt ids where the configured venue name and market differ (Binance futures are a separate ccxt class). */
const CCXT_IDS: Readonly<Record<string, { readonly future: string; readonly spot: string }>> = {
  binance: { future: 'binanceusdm', spot: 'binance' },
};

export function openVenue(config: QuantMeshConfig, name: string, logger: VenueLogger): Exchange {
  const venue = config.exchanges[name];
  if (venue === undefined) throw new RangeError(`exchanges.${name} is not configured`);
  if (venue.type === 'ccxt') {
    return createExchange({
      type: 'ccxt', name, marketType: venue.market, ccxtId: CCXT_IDS[name]?.[venue.market] ?? name,
      apiKey: venue.apiKey, apiSecret: venue.secretKey, password: venue.passphrase, testnet: venue.testnet, baseUrl: venue.baseUrl, logger,
    });
  }
  const traded = config.trading.symbols.filter((entry) => entry.exchange === name).map((entry) => entry.symbol);
  const listed = venue.symbols.map((entry) => entry.symbol);
  const symbols = [...new Set([...listed, ...traded])].map((symbol) => simSymbolOf(config, name, symbol));
  const feeRate = dec(venue.feeRate);
  const engine = new SimMatchingEngine({
    venue: name, seed: venue.seed, symbols, tickMs: venue.tickInterval, startTime: Date.now(),
    fees: { maker: feeRate, taker: feeRate },
    accounts: [{ id: EMBEDDED_SIM_ACCOUNT, balances: { USDT: dec(100_000) } }],
  });
  const driver = new SimClockDriver(engine, { intervalMs: venue.tickInterval });
  driver.start();
  return new SimExchange(engine, { account: EMBEDDED_SIM_ACCOUNT, name, driver });
}
