/**
 * Two MariaDB servers owned by the test: a primary with a binary log and a read-only replica that
 * replicates from it (mariadb-install-db into temp dirs, mariadbd on free ports, as the `mysql` OS
 * user). `killPrimary()` SIGKILLs the primary; `promoteReplica()` stops replication and clears
 * read_only: a real primary/replica switch. Writes use a user without READ ONLY ADMIN, so read_only
 * really refuses them.
 */
import { execFile } from 'node:child_process';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { type OwnedProcess, startProcess } from '../harness/child-process.js';
import { freePort } from '../harness/free-port.js';

const run = promisify(execFile);
export const DATABASE = 'quantmesh';
const USER = 'qm';

export interface ReplicatedMariadb {
  readonly primaryPort: number;
  readonly replicaPort: number;
  /** DSN for `qm`, listing the replica first, then the primary. */
  readonly dsn: string;
  /** DSN of the replica alone. */
  readonly replicaDsn: string;
  /** Resolves when the replica has applied everything the primary logged so far. */
  waitForReplica(): Promise<void>;
  killPrimary(): Promise<void>;
  promoteReplica(): Promise<void>;
  destroy(): Promise<void>;
}

async function startServer(root: string, name: string, port: number, extra: readonly string[]): Promise<OwnedProcess> {
  const datadir = join(root, name);
  // Its own temp dir: the bootstrap's temporary tables in the shared /tmp were seen vanishing under
  // it (another process cleaning /tmp), failing the install with "Unknown table mysql.tmp_user_sys".
  const tmp = join(root, `${name}-tmp`);
  await mkdir(tmp);
  await chown(tmp, ...(await mysqlUser()));
  try {
    await run(
      'mariadb-install-db',
      [
        '--user=mysql',
        `--datadir=${datadir}`,
        `--tmpdir=${tmp}`,
        '--auth-root-authentication-method=normal',
        '--skip-test-db',
      ],
      { timeout: 120_000 },
    );
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(
      `mariadb-install-db failed (needs root, the mysql OS user and MariaDB server binaries; see /var/log/mysql/error.log): ${stderr || stdout || error}`,
    );
  }
  const server = startProcess('mariadbd', [
    '--no-defaults',
    '--user=mysql',
    `--datadir=${datadir}`,
    `--tmpdir=${tmp}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(root, `${name}.sock`)}`,
    `--pid-file=${join(root, `${name}.pid`)}`,
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=16M',
    '--innodb-log-file-size=8M',
    ...extra,
  ]);
  await server.waitForLine(/ready for connections/, 120_000);
  return server;
}

async function mysqlUser(): Promise<[number, number]> {
  return [Number((await run('id', ['-u', 'mysql'])).stdout), Number((await run('id', ['-g', 'mysql'])).stdout)];
}

const admin = (port: number) =>
  mysql.createConnection({ host: '127.0.0.1', port, user: 'root', multipleStatements: true });

export async function startReplicatedMariadb(): Promise<ReplicatedMariadb> {
  const root = await mkdtemp(join(tmpdir(), 'qm-mariarepl-'));
  await chown(root, ...(await mysqlUser()));
  const [primaryPort, replicaPort] = [await freePort(), await freePort()];
  const [primary, replica] = await Promise.all([
    startServer(root, 'primary', primaryPort, ['--server-id=1', `--log-bin=${join(root, 'primary', 'bin')}`]),
    startServer(root, 'replica', replicaPort, ['--server-id=2', '--read-only=1']),
  ]);
  const onReplica = await admin(replicaPort);
  await onReplica.query(
    `change master to master_host='127.0.0.1', master_port=${primaryPort}, master_user='root', master_password='', master_log_file='bin.000001', master_log_pos=4; start slave`,
  );
  const onPrimary = await admin(primaryPort);
  await onPrimary.query(
    `create database ${DATABASE}; create user '${USER}'@'%'; grant all on ${DATABASE}.* to '${USER}'@'%'`,
  );
  return {
    primaryPort,
    replicaPort,
    dsn: `mysql://${USER}@127.0.0.1:${replicaPort},127.0.0.1:${primaryPort}/${DATABASE}`,
    replicaDsn: `mysql://${USER}@127.0.0.1:${replicaPort}/${DATABASE}`,
    async waitForReplica() {
      const [[status]] = (await onPrimary.query('show master status')) as unknown as [
        Array<{ File: string; Position: number }>,
      ];
      for (let attempt = 0; attempt < 300; attempt += 1) {
        const [[slave]] = (await onReplica.query('show slave status')) as unknown as [
          Array<{ Relay_Master_Log_File: string; Exec_Master_Log_Pos: number }>,
        ];
        if (
          slave !== undefined &&
          slave.Relay_Master_Log_File === status!.File &&
          Number(slave.Exec_Master_Log_Pos) >= Number(status!.Position)
        )
          return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error('the MariaDB replica did not catch up within 30 s');
    },
    async killPrimary() {
      await onPrimary.destroy();
      await primary.kill();
    },
    async promoteReplica() {
      await onReplica.query('stop slave; set global read_only = 0');
    },
    async destroy() {
      onPrimary.destroy();
      await onReplica.end().catch(() => undefined);
      await Promise.all([primary.kill(), replica.kill()]);
      await rm(root, { recursive: true, force: true });
    },
  };
}
