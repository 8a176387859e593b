/**
 * A two-instance test cluster for the operator surface: instance A (active) and B (`--standby`)
 * trade the same symbol on one sim venue through the ccxt adapter, sharing a test PostgreSQL
 * database that also holds their lock (`distributed_lock.type: database`) and the instance registry,
 * both behind one API key. The configuration files are written to `root`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { sharedPostgresYaml, simVenueTradingYaml } from '../app/quantmesh-process.js';
import { freePort } from '../harness/free-port.js';
import type { TestDatabase } from '../harness/postgres.js';

export const SYMBOL = 'BTCUSDT';
export const API_KEY = 'operator-key-5d1c7e0a9b';
export const ACCOUNT = {
  apiKey: 'operator-venue-key',
  apiSecret: 'operator-venue-secret-77f0',
  accountId: 'operator-account',
};
export const LEASE_TTL_MS = 3000;

export interface ClusterMember {
  readonly id: string;
  readonly config: string;
  readonly webPort: number;
  readonly url: string;
}

export async function startClusterVenue(seed: number): Promise<SimVenueServer> {
  const symbols = simSymbolsNamed([SYMBOL]).map((symbol) => ({ ...symbol, volatility: 3 }));
  return startSimVenueServer({ seed, symbols, accounts: [ACCOUNT], stepIntervalMs: 50 });
}

/** Writes the configuration of instance `id` and returns where it will serve. */
export async function clusterMember(
  id: string,
  root: string,
  venue: SimVenueServer,
  database: TestDatabase,
): Promise<ClusterMember> {
  const webPort = await freePort();
  const config = join(root, `${id}.yaml`);
  await writeFile(
    config,
    `${sharedPostgresYaml(id, join(root, id), database.url)}distributed_lock:
  enabled: true
  type: database
  default_ttl: 5s
coordination:
  lease_ttl: ${LEASE_TTL_MS}ms
  heartbeat_interval: 1s
${simVenueTradingYaml(venue.url, ACCOUNT, SYMBOL)}web:
  port: ${webPort}
  api_key: ${API_KEY}
`,
  );
  return { id, config, webPort, url: `http://127.0.0.1:${webPort}` };
}

/** GET or POST with the cluster's key; the parsed JSON answer and its status. */
export async function api<T = unknown>(
  member: ClusterMember,
  path: string,
  init: { method?: string; key?: string | null } = {},
): Promise<{ status: number; body: T; text: string }> {
  const headers: Record<string, string> = init.key === null ? {} : { authorization: `Bearer ${init.key ?? API_KEY}` };
  const response = await fetch(`${member.url}${path}`, { method: init.method ?? 'GET', headers });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* text answers (metrics) stay text */
  }
  return { status: response.status, body: body as T, text };
}
