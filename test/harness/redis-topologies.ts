/**
 * Redis deployments a test owns on loopback: a Sentinel set (a primary, a replica and three
 * sentinels) that can be made to fail over, and a Redis Cluster of three primaries. Debian's
 * `redis-server` and `redis-sentinel` (`redis-server --sentinel`) packages; nothing is shared with
 * the machine's Redis.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type OwnedProcess, startProcess } from './child-process.js';
import { freePort } from './free-port.js';
import { until } from './until.js';

const HOW_TO_INSTALL =
  'install it with: apt-get install -y redis-server redis-sentinel (or run `npm test`, which does it)';

async function startRedis(dir: string, args: readonly string[], ready: RegExp): Promise<OwnedProcess> {
  const process = startProcess('redis-server', [
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    ...args,
  ]);
  await process.waitForLine(ready, 20_000).catch((error: Error) => {
    throw new Error(`could not start redis-server ${args.join(' ')} (${error.message}); ${HOW_TO_INSTALL}`);
  });
  return process;
}

export interface OwnedSentinelSet {
  readonly masterName: string;
  /** `host:port` of the three sentinels. */
  readonly sentinels: readonly string[];
  /** `host:port` of the current primary, as the sentinels report it. */
  primary(): Promise<string>;
  /** Kills the primary (SIGKILL); the sentinels then promote the replica. */
  killPrimary(): Promise<void>;
  /** Resolves once the sentinels report the promoted replica and it acts as primary. */
  promoted(): Promise<void>;
  close(): Promise<void>;
}

/** A primary, one replica and three sentinels (quorum 2) watching them, failover in about a second. */
export async function startSentinelSet(): Promise<OwnedSentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-sentinel-'));
  const masterName = 'qm-primary';
  const processes: OwnedProcess[] = [];
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  processes.push(
    await startRedis(
      dir,
      ['--port', String(primaryPort), '--dbfilename', 'primary.rdb'],
      /Ready to accept connections/,
    ),
  );
  const replica = await startRedis(
    dir,
    ['--port', String(replicaPort), '--dbfilename', 'replica.rdb', '--replicaof', '127.0.0.1', String(primaryPort)],
    /MASTER <-> REPLICA sync: Finished with success/,
  );
  processes.push(replica);
  const sentinelPorts: number[] = [];
  for (let index = 0; index < 3; index += 1) {
    const port = await freePort();
    sentinelPorts.push(port);
    const conf = join(dir, `sentinel-${index}.conf`);
    // Sentinel rewrites its own file (discovered peers, epochs), so each gets a writable one.
    await writeFile(
      conf,
      [
        `port ${port}`,
        'bind 127.0.0.1',
        `dir ${dir}`,
        `sentinel monitor ${masterName} 127.0.0.1 ${primaryPort} 2`,
        `sentinel down-after-milliseconds ${masterName} 1000`,
        `sentinel failover-timeout ${masterName} 10000`,
        `sentinel parallel-syncs ${masterName} 1`,
      ].join('\n') + '\n',
    );
    const sentinel = startProcess('redis-server', [conf, '--sentinel']);
    await sentinel.waitForLine(/\+monitor master/, 20_000).catch((error: Error) => {
      throw new Error(`could not start a sentinel (${error.message}); ${HOW_TO_INSTALL}`);
    });
    processes.push(sentinel);
  }
  const sentinels = sentinelPorts.map((port) => `127.0.0.1:${port}`);
  const ask = async (port: number, ...command: string[]): Promise<unknown> => {
    const client = new Redis({
      host: '127.0.0.1',
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    client.on('error', () => undefined); // the command's own rejection reports it
    try {
      await client.connect();
      return await client.call(command[0]!, ...command.slice(1));
    } finally {
      client.disconnect();
    }
  };
  const primary = async () => {
    const [host, port] = (await ask(sentinelPorts[0]!, 'SENTINEL', 'get-master-addr-by-name', masterName)) as [
      string,
      string,
    ];
    return `${host}:${port}`;
  };
  // A failover needs every sentinel to know the replica and a majority of its peers.
  await until(
    async () => {
      for (const port of sentinelPorts) {
        const info = (await ask(port, 'SENTINEL', 'master', masterName)) as string[];
        const field = (name: string) => Number(info[info.indexOf(name) + 1]);
        if (field('num-slaves') < 1 || field('num-other-sentinels') < 2) return false;
      }
      return true;
    },
    'the sentinels to discover the replica and each other',
    30_000,
  );
  return {
    masterName,
    sentinels,
    primary,
    killPrimary: () => processes[0]!.kill(),
    async promoted() {
      const before = `127.0.0.1:${primaryPort}`;
      await until(async () => (await primary()) !== before, 'the sentinels to promote the replica', 30_000);
      await until(
        async () => ((await ask(replicaPort, 'ROLE')) as string[])[0] === 'master',
        'the promoted replica to act as primary',
        30_000,
      );
    },
    async close() {
      await Promise.all(processes.map((process) => process.kill()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnedRedisCluster {
  /** `host:port` of every primary (any one is a seed). */
  readonly nodes: readonly string[];
  /** Kills every node (SIGKILL); data is lost, the slot layout (nodes-*.conf) is kept. */
  stop(): Promise<void>;
  /** Starts every node again on its port; resolves once the cluster is ok. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** Three primaries with the 16,384 slots spread over them (`redis-cli --cluster create`), no replicas. */
export async function startRedisCluster(): Promise<OwnedRedisCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'qm-cluster-'));
  const ports = [await freePort(), await freePort(), await freePort()];
  let processes: OwnedProcess[] = [];
  const startNodes = async () => {
    processes = await Promise.all(
      ports.map((port) =>
        startRedis(
          dir,
          [
            '--port',
            String(port),
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            `nodes-${port}.conf`,
            '--cluster-node-timeout',
            '2000',
            '--dbfilename',
            `dump-${port}.rdb`,
          ],
          /Ready to accept connections/,
        ),
      ),
    );
  };
  const clusterOk = () =>
    until(
      async () => {
        for (const port of ports) {
          const client = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 0 });
          client.on('error', () => undefined); // the command's own rejection reports it
          try {
            if (!String(await client.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
          } finally {
            client.disconnect();
          }
        }
        return true;
      },
      'the cluster to reach cluster_state:ok on every node',
      30_000,
    );
  await startNodes();
  const nodes = ports.map((port) => `127.0.0.1:${port}`);
  const create = startProcess('redis-cli', [
    '--cluster',
    'create',
    ...nodes,
    '--cluster-replicas',
    '0',
    '--cluster-yes',
  ]);
  const code = await create.exited;
  if (code !== 0)
    throw new Error(`redis-cli --cluster create failed (${code}):\n${create.output().slice(-2000)}; ${HOW_TO_INSTALL}`);
  await clusterOk();
  const stop = async () => {
    await Promise.all(processes.map((process) => process.kill()));
  };
  return {
    nodes,
    stop,
    async start() {
      await startNodes();
      await clusterOk();
    },
    async close() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
