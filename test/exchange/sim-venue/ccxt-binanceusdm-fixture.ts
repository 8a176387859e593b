/**
 * A plain ccxt `binanceusdm` client (no QuantMesh adapter in between) against a sim-venue server the
 * test starts in-process: manual clock (`/_sim/step`), test hooks on. The client is built by the
 * project's factory, so it carries the settings this machine needs (fetchCurrencies off, the proxy
 * agent loaded for plain http/ws, ccxt's dangling futures adopted).
 */
import type { Exchange as CcxtClient } from 'ccxt';
import { createCcxtClient } from '../../../src/exchange/ccxt/ccxt-client-factory.js';
import { CCXT_VENUE_PROFILES } from '../../../src/exchange/ccxt/ccxt-venue-profiles.js';
import {
  type SimVenueServer,
  type SimVenueServerOptions,
  startSimVenueServer,
} from '../../../src/exchange/sim-venue/sim-venue-server.js';

export const API_KEY = 'ccxt-conformance-key';
export const API_SECRET = 'ccxt-conformance-secret';

export interface CcxtVenue {
  readonly server: SimVenueServer;
  readonly client: CcxtClient;
  /** POST to a `/_sim` hook; throws with the answer unless it is 2xx. */
  admin(path: string): Promise<unknown>;
  close(): Promise<void>;
}

export async function startCcxtVenue(options: Partial<SimVenueServerOptions> = {}): Promise<CcxtVenue> {
  const server = await startSimVenueServer({
    seed: 7,
    stepIntervalMs: 0,
    admin: true,
    ...options,
    accounts: [{ apiKey: API_KEY, apiSecret: API_SECRET }],
  });
  const profile = CCXT_VENUE_PROFILES['binanceusdm'];
  if (profile === undefined) throw new Error('no binanceusdm profile');
  const handle = createCcxtClient({
    venue: 'binance',
    ccxtId: 'binanceusdm',
    marketType: 'future',
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    baseUrl: server.url,
    profile,
    logger: { warn: () => undefined },
  });
  await handle.client.loadHttpProxyAgent();
  await handle.client.loadMarkets();
  return {
    server,
    client: handle.client,
    admin: async (path) => {
      const response = await fetch(`${server.url}${path}`, { method: 'POST' });
      const body: unknown = await response.json();
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
      return body;
    },
    close: async () => {
      await handle.client.close().catch(() => undefined);
      handle.cancelTimers();
      await server.close();
    },
  };
}
