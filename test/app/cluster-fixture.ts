/**
 * A QuantMesh cluster on loopback for multi-instance tests: one sim venue (the server
 * `quantmesh sim-venue` runs, in this process so its record is read directly), a fresh PostgreSQL
 * database on the shared server, the lock backend of the test's own (a redis-server or an etcd on
 * free ports; `database` uses the database), a FaultProxy the test controls in front of each of
 * the venue, the database and the lock backend, a webhook receiver for alerts, and N QuantMesh
 * child processes (active, `--standby`, static or dynamic allocation) with their status readers.
 * The venue's own record of every accepted order (venue-record.ts) is kept from the start.
 *
 * Teardown goes through the steps the caller passes in (harness/teardown.ts): everything started here
 * pushes its own stop, so a failed start still cleans up what came before it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SimSymbolSettings } from '../../src/exchange/sim/sim-settings.js';
import {
  type SimVenueServer,
  type SimVenueServerOptions,
  startSimVenueServer,
} from '../../src/exchange/sim-venue/sim-venue-server.js';
import type { OwnedProcess } from '../harness/child-process.js';
import { type OwnedEtcd, startEtcd } from '../harness/etcd.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { freePort } from '../harness/free-port.js';
import { type TestDatabase, createPostgresDatabase, uniqueName } from '../harness/postgres.js';
import { type OwnedRedis, startOwnRedis } from '../harness/redis.js';
import type { TeardownSteps } from '../harness/teardown.js';
import { type WebhookReceiver, startWebhookReceiver } from '../harness/webhook-receiver.js';
import { sharedPostgresYaml, startQuantMesh } from './quantmesh-process.js';
import { type VenueRecord, recordVenueOrders } from './venue-record.js';

export type LockBackend = 'redis' | 'etcd' | 'database';

export interface ClusterNodeSpec {
  readonly id: string;
  readonly standby?: boolean | undefined;
  /** The symbols in this node's file (static allocation); default every symbol of the cluster. */
  readonly symbols?: readonly string[] | undefined;
  /** The venue API key in this node's file (default the account's; a wrong one makes its runners fault). */
  readonly apiKey?: string | undefined;
}

export interface ClusterOptions {
  readonly name: string;
  readonly lock: LockBackend;
  /** `dynamic` keeps its membership in etcd, so it needs `lock: 'etcd'` (the configuration refuses others). */
  readonly allocation?: 'static' | 'dynamic' | undefined;
  readonly leaseTtlMs: number;
  /** The venue's symbols; every node trades all of them (dynamic allocation spreads them). */
  readonly symbols: readonly SimSymbolSettings[];
  /** One `trading.symbols` entry's settings (YAML flow mapping body) for a symbol. */
  readonly grid: (symbol: string) => string;
  readonly nodes: readonly ClusterNodeSpec[];
  readonly seed?: number | undefined;
  /** Venue conditions, e.g. partial fills (`liquidityPerTick`). */
  readonly venue?: Pick<SimVenueServerOptions, 'liquidityPerTick' | 'limits'> | undefined;
  /** Extra keys of every node's `exchanges.binance` (YAML lines indented by four spaces), e.g. `rate_limits`. */
  readonly exchangeYaml?: string | undefined;
  /** `storage.max_spool_bytes` of every node (default the configuration's). */
  readonly maxSpoolBytes?: number | undefined;
  /**
   * Each node reaches redis or etcd through a FaultProxy of its own (`node.lockProxy`), so a test can
   * cut one node's link alone (a partition); `lockProxy` then cuts nobody.
   */
  readonly lockProxyPerNode?: boolean | undefined;
  /** `coordination.orphan_timeout` of every node (default the configuration's). */
  readonly orphanTimeoutMs?: number | undefined;
}

export interface SymbolStatus {
  symbol: string;
  state: string;
  ownership: string;
  workingOrders: number;
  /** When this node won the symbol (epoch ms), while it owns it. */
  ownedSince?: number;
  pausedReason?: string;
}
export interface InstanceStatus {
  mode: string;
  allocation: { mode: string; members?: string[] };
  symbols: SymbolStatus[];
}

/** One instance of the cluster: its current process (restartable), signals and status. */
export interface ClusterNode {
  readonly id: string;
  readonly standby: boolean;
  readonly webPort: number;
  readonly configFile: string;
  /** This node's link to redis or etcd: its own with `lockProxyPerNode`, else the cluster's `lockProxy`. */
  readonly lockProxy: FaultProxy | undefined;
  /** The running process (the last one started). */
  readonly process: OwnedProcess;
  /** Everything every process of this node printed, oldest first. */
  output(): string;
  /** Starts a process (once the previous one ended) and waits until it serves. */
  start(): Promise<void>;
  kill(): Promise<void>;
  pause(): void;
  resume(): void;
  /** SIGINT; resolves with the exit code. */
  stop(): Promise<number | string>;
  /** GET /api/status (rejects after 5 s: a paused node never answers). */
  status(): Promise<InstanceStatus>;
  /** The symbols this node owns. */
  owned(): Promise<string[]>;
  /** The symbols this node owns and trades (running, with working orders). */
  trading(): Promise<string[]>;
}

export interface Cluster {
  readonly venue: SimVenueServer;
  readonly account: { apiKey: string; apiSecret: string; accountId: string };
  readonly record: VenueRecord;
  /** Requests the venue refused (code and message; never a secret). */
  readonly refused: { method: string; path: string; code: number; msg: string }[];
  readonly database: TestDatabase;
  readonly venueProxy: FaultProxy;
  readonly databaseProxy: FaultProxy;
  /** In front of redis or etcd; the `database` lock goes through `databaseProxy`. */
  readonly lockProxy: FaultProxy | undefined;
  readonly lockServer: OwnedRedis | OwnedEtcd | undefined;
  readonly webhook: WebhookReceiver;
  readonly nodes: readonly ClusterNode[];
  node(id: string): ClusterNode;
  /** Starts every node (in the order given), each waiting until it serves. */
  startAll(): Promise<void>;
}

export async function startCluster(options: ClusterOptions, teardown: TeardownSteps): Promise<Cluster> {
  const root = await mkdtemp(join(tmpdir(), `qm-${options.name}-`));
  teardown.push(() => rm(root, { recursive: true, force: true }));
  const account = {
    apiKey: `${options.name}-key`,
    apiSecret: `${options.name}-secret`,
    accountId: `${options.name}-account`,
  };
  const refused: Cluster['refused'] = [];
  const venue = await startSimVenueServer({
    ...options.venue,
    seed: options.seed ?? 20261124,
    symbols: [...options.symbols],
    accounts: [account],
    stepIntervalMs: 25,
    onRequestError: (summary) => refused.push(summary),
  });
  teardown.push(() => venue.close());
  const record = recordVenueOrders(venue, account.accountId);
  const venueUrl = new URL(venue.url);
  const venueProxy = await proxyTo(venueUrl.hostname, Number(venueUrl.port), teardown);

  const database = await createPostgresDatabase();
  teardown.push(() => database.drop());
  const databaseProxy = await proxyTo(database.host, database.port, teardown);
  const proxiedDsn = new URL(database.url);
  proxiedDsn.host = `${databaseProxy.host}:${databaseProxy.port}`;

  let lockServer: OwnedRedis | OwnedEtcd | undefined;
  let lockProxy: FaultProxy | undefined;
  if (options.lock === 'redis') {
    const redis = await startOwnRedis();
    teardown.push(() => redis.close());
    lockServer = redis;
    lockProxy = await proxyTo('127.0.0.1', redis.port, teardown);
  } else if (options.lock === 'etcd') {
    const etcd = await startEtcd();
    teardown.push(() => etcd.close());
    lockServer = etcd;
    lockProxy = await proxyTo('127.0.0.1', etcd.port, teardown);
  }
  const webhook = await startWebhookReceiver();
  teardown.push(() => webhook.close());

  const prefix = `${uniqueName(options.name)}:`;
  const lockYaml = (proxy: FaultProxy | undefined): string => {
    const endpoint = proxy === undefined ? '' : `127.0.0.1:${proxy.port}`;
    if (options.lock === 'redis') return `  type: redis\n  redis:\n    addr: ${endpoint}\n`;
    if (options.lock === 'etcd') return `  type: etcd\n  etcd:\n    endpoints: [http://${endpoint}]\n`;
    return '  type: database\n';
  };
  const yamlOf = (
    spec: ClusterNodeSpec,
    dir: string,
    webPort: number,
    nodeLockProxy: FaultProxy | undefined,
  ) => `${sharedPostgresYaml(spec.id, dir, proxiedDsn.toString())}${options.maxSpoolBytes === undefined ? '' : `  max_spool_bytes: ${options.maxSpoolBytes}\n`}distributed_lock:
  enabled: true
  prefix: "${prefix}"
  default_ttl: 5s
${lockYaml(nodeLockProxy)}coordination:
  allocation: ${options.allocation ?? 'static'}
  lease_ttl: ${options.leaseTtlMs}ms
  heartbeat_interval: ${Math.max(100, Math.floor(options.leaseTtlMs / 3))}ms
${options.orphanTimeoutMs === undefined ? '' : `  orphan_timeout: ${options.orphanTimeoutMs}ms\n`}exchanges:
  binance:
    api_key: ${spec.apiKey ?? account.apiKey}
    secret_key: ${account.apiSecret}
    base_url: http://${venueProxy.host}:${venueProxy.port}
${options.exchangeYaml ?? ''}trading:
  symbols:
${(spec.symbols ?? options.symbols.map((symbol) => symbol.symbol)).map((symbol) => `    - { exchange: binance, symbol: ${symbol}, ${options.grid(symbol)} }\n`).join('')}system:
  cancel_on_exit: true
notifications:
  webhook:
    url: ${webhook.url}
    timeout: 2s
web:
  port: ${webPort}
`;

  const nodes: ClusterNode[] = [];
  for (const spec of options.nodes) {
    const dir = join(root, spec.id);
    const webPort = await freePort();
    const configFile = join(root, `${spec.id}.yaml`);
    const nodeLockProxy =
      options.lockProxyPerNode === true && lockServer !== undefined
        ? await proxyTo('127.0.0.1', lockServer.port, teardown)
        : lockProxy;
    await writeFile(configFile, yamlOf(spec, dir, webPort, nodeLockProxy));
    nodes.push(clusterNode(spec, { root, configFile, webPort, lockProxy: nodeLockProxy }, teardown));
  }
  return {
    venue,
    account,
    record,
    refused,
    database,
    venueProxy,
    databaseProxy,
    lockProxy,
    lockServer,
    webhook,
    nodes,
    node(id) {
      const found = nodes.find((node) => node.id === id);
      if (found === undefined)
        throw new Error(`no node ${id} in the cluster (${nodes.map((node) => node.id).join(', ')})`);
      return found;
    },
    async startAll() {
      for (const node of nodes) await node.start();
    },
  };
}

async function proxyTo(host: string, port: number, teardown: TeardownSteps): Promise<FaultProxy> {
  const proxy = await FaultProxy.start(host, port);
  teardown.push(() => proxy.close());
  return proxy;
}

function clusterNode(
  spec: ClusterNodeSpec,
  where: { root: string; configFile: string; webPort: number; lockProxy: FaultProxy | undefined },
  teardown: TeardownSteps,
): ClusterNode {
  const standby = spec.standby === true;
  let current: OwnedProcess | undefined;
  const earlier: string[] = [];
  const running = (): OwnedProcess => {
    if (current === undefined) throw new Error(`node ${spec.id} was never started`);
    return current;
  };
  // Bounded: a paused node accepts the connection and never answers.
  const status = async (): Promise<InstanceStatus> =>
    (
      await fetch(`http://127.0.0.1:${where.webPort}/api/status`, { signal: AbortSignal.timeout(5000) })
    ).json() as Promise<InstanceStatus>;
  const owned = async () =>
    (await status()).symbols
      .filter((symbol) => symbol.ownership === 'owned')
      .map((symbol) => symbol.symbol)
      .sort();
  teardown.push(async () => {
    // A paused process would not die of SIGKILL until continued.
    current?.signal('SIGCONT');
    await current?.kill();
  });
  return {
    id: spec.id,
    standby,
    webPort: where.webPort,
    configFile: where.configFile,
    lockProxy: where.lockProxy,
    get process() {
      return running();
    },
    output: () => [...earlier, current?.output() ?? ''].join('\n'),
    async start() {
      if (current !== undefined) {
        await current.exited;
        earlier.push(current.output());
      }
      current = startQuantMesh(['--config', where.configFile, ...(standby ? ['--standby'] : [])], where.root);
      // Generous: at load 30-55 on 2 cores a tsx start-up was seen to print nothing for 150 s.
      await current.waitForLine(/running; send SIGINT/, 240_000);
    },
    kill: () => running().kill(),
    pause: () => running().signal('SIGSTOP'),
    resume: () => running().signal('SIGCONT'),
    async stop() {
      running().signal('SIGINT');
      return running().exited;
    },
    status,
    owned,
    async trading() {
      return (await status()).symbols
        .filter((symbol) => symbol.ownership === 'owned' && symbol.state === 'running' && symbol.workingOrders > 0)
        .map((symbol) => symbol.symbol)
        .sort();
    },
  };
}
