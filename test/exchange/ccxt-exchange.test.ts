/**
 * CcxtExchange(binanceusdm) against a sim-venue server started by the test (in-process server,
 * manual clock, test hooks on), through the Exchange conformance suite.
 */
import { dec } from '../../src/domain/decimal.js';
import { CcxtExchange } from '../../src/exchange/ccxt/ccxt-exchange.js';
import { startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { exchangeConformanceSuite } from '../conformance/exchange.suite.js';
import { forVenueBackend } from './venue-backends.js';

const API_KEY = 'conformance-key';
const API_SECRET = 'conformance-secret';

forVenueBackend('ccxt', () => {
  exchangeConformanceSuite('CcxtExchange(binanceusdm) → sim-venue', async () => {
    const server = await startSimVenueServer({
      seed: 42,
      accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
      stepIntervalMs: 0,
      admin: true,
      liquidityPerTick: dec('0.005'),
    });
    const warnings: string[] = [];
    const connect = (apiSecret: string) =>
      new CcxtExchange({
        name: 'binance',
        ccxtId: 'binanceusdm',
        marketType: 'future',
        apiKey: API_KEY,
        apiSecret,
        baseUrl: server.url,
        logger: { warn: (fields, message) => warnings.push(`${message} ${JSON.stringify(fields)}`) },
      });
    const exchange = connect(API_SECRET);
    const admin = async (path: string) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST' });
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    };
    return {
      exchange,
      wire: true,
      setPrice: (price) => admin(`/_sim/price?symbol=BTCUSDT&price=${price}`),
      step: (ticks) => admin(`/_sim/step?ticks=${ticks}`),
      dropStreams: () => admin('/_sim/drop-streams'),
      injectMalformed: () => admin('/_sim/inject-malformed?target=user'),
      warnings: () => warnings,
      withWrongCredentials: () => connect('not-the-secret'),
      close: async () => {
        await exchange.close();
        await server.close();
      },
    };
  });
});
