/** An etcd server per test (Debian's etcd-server 3.4) on free ports in a temp dir; the test may stop and restart it. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OwnedProcess, startProcess } from './child-process.js';
import { freePort } from './free-port.js';
import { services } from './services.js';

export interface OwnedEtcd {
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
  /** Starts again on the same ports and data dir (keeps its data and revisions). */
  start(): Promise<void>;
  /** Starts again on the same ports with its data dir wiped: a fresh etcd, revisions from 1. */
  startEmpty(): Promise<void>;
  close(): Promise<void>;
}

export async function startEtcd(): Promise<OwnedEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'qm-etcd-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name',
    'qm-test',
    '--data-dir',
    join(dir, 'data'),
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `qm-test=${peer}`,
    '--initial-cluster-state',
    'new',
    '--log-level',
    'error',
    '--logger',
    'zap',
  ];
  let process: OwnedProcess | undefined;
  const start = async () => {
    try {
      process = startProcess(services.etcd.binary, args, { env: { ETCD_UNSUPPORTED_ARCH: '' } });
    } catch (error) {
      throw new Error(`could not start etcd (${(error as Error).message}); ${services.etcd.howToStart}`);
    }
    await waitHealthy(client, process);
  };
  await start();
  return {
    endpoint: client,
    port: clientPort,
    start,
    async startEmpty() {
      await rm(join(dir, 'data'), { recursive: true, force: true });
      await start();
    },
    async stop() {
      await process?.kill();
    },
    async close() {
      await process?.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitHealthy(endpoint: string, process: OwnedProcess): Promise<void> {
  const deadline = Date.now() + 20_000;
  let exited = false;
  void process.exited.then(() => {
    exited = true;
  });
  // Polling /health is the only readiness signal etcd 3.4 gives; bounded and spaced.
  while (Date.now() < deadline) {
    if (exited) throw new Error(`etcd exited at start: ${process.output().slice(-2000)}; ${services.etcd.howToStart}`);
    try {
      const response = await fetch(`${endpoint}/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`etcd did not become healthy at ${endpoint}; output: ${process.output().slice(-2000)}`);
}
