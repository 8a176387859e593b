/** The in-process SimExchange against the Exchange conformance suite. */
import { dec } from '../../src/domain/decimal.js';
import { SimExchange } from '../../src/exchange/sim/sim-exchange.js';
import { SimMatchingEngine } from '../../src/exchange/sim/sim-matching-engine.js';
import { defaultSimSymbols } from '../../src/exchange/sim/sim-settings.js';
import { exchangeConformanceSuite } from '../conformance/exchange.suite.js';
import { backendEnabled } from './venue-backends.js';

if (backendEnabled('sim')) {
  exchangeConformanceSuite('SimExchange (in-process)', async () => {
    const engine = new SimMatchingEngine({
      seed: 42,
      symbols: defaultSimSymbols(),
      accounts: [{ id: 'acct-1', balances: { USDT: dec(100000) } }],
      liquidityPerTick: dec('0.005'),
    });
    const exchange = new SimExchange(engine, { account: 'acct-1' });
    return {
      exchange,
      wire: false,
      setPrice: async (price) => engine.setPrice('BTCUSDT', dec(price)),
      dropStreams: async () => undefined,
      injectMalformed: async () => undefined,
      warnings: () => [],
      withWrongCredentials: () => new SimExchange(engine, { account: 'acct-unknown' }),
      close: () => exchange.close(),
    };
  });
}
