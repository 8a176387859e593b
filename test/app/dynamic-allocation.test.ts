/**
 * Dynamic allocation end to end (R6, R10 "instance down", Invariant 4): three instances run as
 * child processes with the same six symbols, sharing PostgreSQL, with membership and ownership
 * leases in one etcd, all trading one sim-venue through the ccxt adapter. The six symbols (chosen
 * so rendezvous hashing gives two to each) are spread two per instance; then one instance is
 * killed with SIGKILL, and its two symbols must be owned and traded by the other two within the
 * lease TTL plus a margin, every symbol owned by exactly one instance, and the venue's own record
 * must show no client order id accepted twice (none refused as a duplicate either).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simSymbolsNamed } from '../../src/exchange/sim/sim-settings.js';
import { type SimVenueServer, startSimVenueServer } from '../../src/exchange/sim-venue/sim-venue-server.js';
import { type OwnedEtcd, startEtcd } from '../harness/etcd.js';
import { freePort } from '../harness/free-port.js';
import { type TestDatabase, createPostgresDatabase } from '../harness/postgres.js';
import { cleanupAfterAll, sharedPostgresYaml, startQuantMesh } from './quantmesh-process.js';
import { idsAcceptedTwice, recordVenueOrders } from './venue-record.js';
import { until } from '../harness/until.js';

const LEASE_TTL_MS = 3000;
/** Past the lease (etcd counts whole seconds and expires leases about every 500 ms): the survivors rebalance, win, load and trade. */
const TAKEOVER_MARGIN_MS = 5000;
const ACCOUNT = { apiKey: 'dynamic-key', apiSecret: 'dynamic-secret', accountId: 'dynamic-account' };
/** What rendezvous hashing gives each of the three instances (see src/coordination/allocation/rendezvous.ts). */
const EXPECTED: Record<string, readonly string[]> = {
  'dyn-a': ['BBBUSDT', 'EEEUSDT'],
  'dyn-b': ['HHHUSDT', 'IIIUSDT'],
  'dyn-c': ['AAAUSDT', 'CCCUSDT'],
};
const SYMBOLS = Object.values(EXPECTED).flat().sort();

interface Instance {
  readonly id: string;
  readonly dir: string;
  readonly webPort: number;
}

function configYaml(instance: Instance, venue: SimVenueServer, database: TestDatabase, etcd: OwnedEtcd): string {
  const symbols = SYMBOLS.map((symbol) => `    - { exchange: binance, symbol: ${symbol}, price_interval: "0.2", order_quantity: "20", buy_window_size: 4, sell_window_size: 4, reconcile_interval: 2s }\n`).join('');
  return `${sharedPostgresYaml(instance.id, instance.dir, database.url)}distributed_lock:
  enabled: true
  type: etcd
  prefix: "qm-dynamic-test:"
  default_ttl: 5s
  etcd:
    endpoints: [${etcd.endpoint}]
coordination:
  allocation: dynamic
  lease_ttl: ${LEASE_TTL_MS}ms
  heartbeat_interval: 1s
exchanges:
  binance:
    api_key: ${ACCOUNT.apiKey}
    secret_key: ${ACCOUNT.apiSecret}
    base_url: ${venue.url}
trading:
  symbols:
${symbols}system:
  cancel_on_exit: true
web:
  port: ${instance.webPort}
`;
}

interface SymbolStatus { symbol: string; state: string; ownership: string; workingOrders: number }
interface Status { allocation: { mode: string; members?: string[] }; symbols: SymbolStatus[] }

async function status(instance: Instance): Promise<Status> {
  return (await fetch(`http://127.0.0.1:${instance.webPort}/api/status`)).json() as Promise<Status>;
}

/** The symbols an instance owns and trades (running, with working orders at the venue). */
async function trading(instance: Instance): Promise<string[]> {
  return (await status(instance)).symbols.filter((symbol) => symbol.ownership === 'owned' && symbol.state === 'running' && symbol.workingOrders > 0).map((symbol) => symbol.symbol).sort();
}

async function owned(instance: Instance): Promise<string[]> {
  return (await status(instance)).symbols.filter((symbol) => symbol.ownership === 'owned').map((symbol) => symbol.symbol).sort();
}

describe('dynamic allocation over three instances (SIGKILL of one)', () => {
  const cleanup = cleanupAfterAll();

  it('spreads six symbols two per instance, and the survivors take a killed instance\'s two over with no order duplicated', async () => {
    const root = await mkdtemp(join(tmpdir(), 'qm-dynamic-'));
    cleanup.push(() => rm(root, { recursive: true, force: true }));
    const etcd = await startEtcd();
    cleanup.push(() => etcd.close());
    const database = await createPostgresDatabase();
    cleanup.push(() => database.drop());
    const refused: { code: number; msg: string }[] = [];
    const venue = await startSimVenueServer({
      seed: 20261124, symbols: simSymbolsNamed(SYMBOLS), accounts: [ACCOUNT], stepIntervalMs: 25,
      onRequestError: (summary) => refused.push(summary),
    });
    cleanup.push(() => venue.close());
    const record = recordVenueOrders(venue, ACCOUNT.accountId);

    const instances = await Promise.all(Object.keys(EXPECTED).map(async (id) => ({ id, dir: join(root, id), webPort: await freePort() })));
    const [a, b, c] = instances as [Instance, Instance, Instance];
    for (const instance of instances) await writeFile(join(root, `${instance.id}.yaml`), configYaml(instance, venue, database, etcd));
    const processes = instances.map((instance) => {
      const started = startQuantMesh(['--config', join(root, `${instance.id}.yaml`)], root);
      cleanup.push(() => started.kill());
      return started;
    });
    await Promise.all(processes.map((started) => started.waitForLine(/running; send SIGINT/, 60_000)));

    // Two symbols each, all trading; every instance sees the three members and the rest unassigned.
    for (const instance of instances) {
      await until(async () => (await trading(instance)).join() === [...EXPECTED[instance.id]!].sort().join(), `${instance.id} trading its two symbols`, 30_000);
    }
    for (const instance of instances) {
      const seen = await status(instance);
      expect(seen.allocation).toEqual({ mode: 'dynamic', members: ['dyn-a', 'dyn-b', 'dyn-c'] });
      expect(seen.symbols.filter((symbol) => symbol.ownership === 'unassigned').map((symbol) => symbol.symbol).sort())
        .toEqual(SYMBOLS.filter((symbol) => !EXPECTED[instance.id]!.includes(symbol)));
    }

    await processes[2]!.kill();
    const killedAt = performance.now();
    await until(async () => [...await owned(a), ...await owned(b)].sort().join() === SYMBOLS.join(), 'the survivors owning all six symbols', LEASE_TTL_MS + TAKEOVER_MARGIN_MS).catch((error: Error) => {
      const events = (output: string) => output.split('\n').filter((line) => /allocation|ownership|campaign/.test(line)).slice(-12).join('\n');
      throw new Error(`${error.message}; a: ${events(processes[0]!.output())}; b: ${events(processes[1]!.output())}`);
    });
    expect(performance.now() - killedAt).toBeLessThan(LEASE_TTL_MS + TAKEOVER_MARGIN_MS);

    // Each symbol owned by exactly one survivor, which kept its own two; both trade what they own.
    const [ownedA, ownedB] = [await owned(a), await owned(b)];
    expect([...ownedA, ...ownedB].sort()).toEqual(SYMBOLS);
    expect(ownedA.filter((symbol) => ownedB.includes(symbol))).toEqual([]);
    expect(ownedA).toEqual(expect.arrayContaining([...EXPECTED[a.id]!]));
    expect(ownedB).toEqual(expect.arrayContaining([...EXPECTED[b.id]!]));
    expect([...ownedA, ...ownedB]).toEqual(expect.arrayContaining([...EXPECTED[c.id]!]));
    for (const instance of [a, b]) {
      expect((await status(instance)).allocation.members).toEqual(['dyn-a', 'dyn-b']);
      const mine = await owned(instance);
      await until(async () => (await trading(instance)).join() === mine.join(), `${instance.id} trading all it owns`, 20_000);
    }
    const acceptedAtTakeover = record.acceptedIds.length;
    await new Promise((resolve) => setTimeout(resolve, 2000));

    processes[0]!.signal('SIGINT');
    processes[1]!.signal('SIGINT');
    expect(await processes[0]!.exited).toBe(0);
    expect(await processes[1]!.exited).toBe(0);
    expect(record.acceptedIds.length).toBeGreaterThanOrEqual(acceptedAtTakeover);
    // No client order id accepted twice, none even sent twice.
    expect(idsAcceptedTwice(record)).toEqual([]);
    expect(refused.filter((summary) => summary.code === -4116)).toEqual([]);
  }, 180_000);
});
