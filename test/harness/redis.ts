/** Redis for tests: a key prefix per test on the shared server, or a redis-server of the test's own. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OwnedProcess, startProcess } from './child-process.js';
import { freePort } from './free-port.js';
import { uniqueName } from './postgres.js';
import { requireListening, services } from './services.js';

/** A prefix no other test uses; the shared server on 127.0.0.1:6379 must be up. */
export async function sharedRedis(): Promise<{ url: string; prefix: string }> {
  await requireListening('redis');
  return { url: services.redis.url, prefix: `${uniqueName('qmtest')}:` };
}

export interface OwnedRedis {
  readonly url: string;
  readonly port: number;
  /** Stops the server (SIGKILL); `start` brings it back on the same port, with its data when `persist`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A redis-server on a free port that only this test uses and may stop or restart. */
export async function startOwnRedis(options: { persist?: boolean } = {}): Promise<OwnedRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'qm-redis-'));
  let process: OwnedProcess | undefined;
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  ];
  const start = async () => {
    process = startProcess('redis-server', args);
    await process.waitForLine(/Ready to accept connections/, 15_000).catch((error: Error) => {
      throw new Error(
        `could not start redis-server (${error.message}); install it with: apt-get install -y redis-server`,
      );
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    async stop() {
      await process?.kill();
    },
    async close() {
      await process?.kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
