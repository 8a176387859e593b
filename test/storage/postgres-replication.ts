/**
 * A PostgreSQL 15 primary with a streaming replica, both owned by the test (initdb as the `postgres`
 * OS user in a temp dir, pg_basebackup -R, free ports). `stopPrimary()` kills the primary and
 * `promoteReplica()` turns the replica into the new primary: a real primary/replica switch.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../harness/free-port.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const USER = 'qm';
export const DATABASE = 'quantmesh';

async function asPostgres(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('runuser', ['-u', 'postgres', '--', join(BIN, command), ...args], {
      timeout: 120_000,
    });
    return stdout;
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `${command} failed: ${stderr ?? ''}${stdout ?? ''}\n(needs root, the postgres OS user and PostgreSQL 15 binaries in ${BIN})`,
    );
  }
}

export interface ReplicatedPostgres {
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** DSN listing the replica first, then the primary. */
  readonly dsn: string;
  stopPrimary(): Promise<void>;
  promoteReplica(): Promise<void>;
  /** Resolves when the replica has replayed everything the primary wrote so far. */
  waitForReplica(): Promise<void>;
  destroy(): Promise<void>;
}

function serverOptions(port: number, dir: string): string {
  return `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c wal_level=replica -c max_wal_senders=4 -c hot_standby=on -c fsync=off -c shared_buffers=16MB`;
}

export async function startReplicatedPostgres(): Promise<ReplicatedPostgres> {
  const root = await mkdtemp(join(tmpdir(), 'qm-pgrepl-'));
  await chmod(root, 0o755);
  await chown(
    root,
    Number((await run('id', ['-u', 'postgres'])).stdout),
    Number((await run('id', ['-g', 'postgres'])).stdout),
  );
  const primary = join(root, 'primary');
  const replica = join(root, 'replica');
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  await asPostgres('initdb', ['-D', primary, '-U', USER, '-A', 'trust', '--no-sync']);
  await asPostgres('pg_ctl', [
    '-D',
    primary,
    '-o',
    serverOptions(primaryPort, root),
    '-l',
    join(root, 'primary.log'),
    '-w',
    'start',
  ]);
  await asPostgres('createdb', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', USER, DATABASE]);
  await asPostgres('pg_basebackup', [
    '-h',
    '127.0.0.1',
    '-p',
    String(primaryPort),
    '-U',
    USER,
    '-D',
    replica,
    '-R',
    '-X',
    'stream',
    '--no-sync',
  ]);
  await asPostgres('pg_ctl', [
    '-D',
    replica,
    '-o',
    serverOptions(replicaPort, root),
    '-l',
    join(root, 'replica.log'),
    '-w',
    'start',
  ]);
  const psql = (port: number, query: string) =>
    asPostgres('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', USER, '-d', DATABASE, '-tAc', query]);
  return {
    primaryPort,
    replicaPort,
    dsn: `postgres://${USER}@127.0.0.1:${replicaPort},127.0.0.1:${primaryPort}/${DATABASE}`,
    async stopPrimary() {
      await asPostgres('pg_ctl', ['-D', primary, '-m', 'immediate', '-w', 'stop']);
    },
    async promoteReplica() {
      await asPostgres('pg_ctl', ['-D', replica, '-w', 'promote']);
    },
    async waitForReplica() {
      const target = (await psql(primaryPort, 'select pg_current_wal_lsn()')).trim();
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const caughtUp = (await psql(replicaPort, `select pg_last_wal_replay_lsn() >= '${target}'::pg_lsn`)).trim();
        if (caughtUp === 't') return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`replica did not replay up to ${target} within 30 s`);
    },
    async destroy() {
      for (const dir of [primary, replica])
        await asPostgres('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
