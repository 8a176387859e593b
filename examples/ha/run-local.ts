/**
 * `npm run example:ha`: the topology of deploy/compose/docker-compose.yml on one machine, without
 * Docker. A sim venue whose one account and symbols match the instance files, instances 1 and 2,
 * instance 3 as hot standby, and nginx in front when it is installed; PostgreSQL and Redis are the
 * machine's own (a database and a lock key prefix of the example's). The instance files are used as
 * they are, pointed at this machine through the variables they read. Runs until SIGINT/SIGTERM,
 * then stops the instances (each cancels its orders), nginx and the venue; the database is kept.
 * An instance that dies is reported and not restarted: that is what the standby is for.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = resolve(HERE, '../..');
const SYMBOLS = 'ETHUSDT,BTCUSDT,BNBUSDT,SOLUSDT';
/** The account the instance files name by default (exchanges.binance.api_key / secret_key). */
const VENUE_ACCOUNT = { apiKey: 'sim-api-key', apiSecret: 'sim-secret-key' };
const INSTANCES = ['instance-1', 'instance-2', 'instance-3'] as const;
const STOP_GRACE_MS = 30_000;

const { values: flags } = parseArgs({
  options: {
    'nginx-port': { type: 'string', default: '8080' },
    'venue-port': { type: 'string', default: '8090' },
    'instance-ports': { type: 'string', default: '8081,8082,8083' },
    database: { type: 'string', default: 'quantmesh_example_ha' },
    'lock-prefix': { type: 'string', default: 'quantmesh-example:lock:' },
    'data-dir': { type: 'string', default: join(ROOT, 'data/example-ha') },
    'step-interval-ms': { type: 'string', default: '1000' },
  },
});

const apiKey = process.env.QM_WEB_API_KEY;
if (apiKey === undefined || apiKey === '')
  fail(
    'set QM_WEB_API_KEY to the API key the instances (and you, through nginx) will use, e.g. QM_WEB_API_KEY=choose-a-key npm run example:ha',
  );
const instancePorts = flags['instance-ports'].split(',').map(port);
if (instancePorts.length !== INSTANCES.length) fail('--instance-ports takes three ports, one per instance');
const nginxPort = port(flags['nginx-port']);
const venuePort = port(flags['venue-port']);
if (!/^[a-z_][a-z0-9_]*$/.test(flags.database))
  fail('--database must be a plain PostgreSQL name (lower case letters, digits, _)');
const dataDir = resolve(flags['data-dir']);
await mkdir(dataDir, { recursive: true });

const pgHost = process.env.QM_PG_HOST ?? '127.0.0.1';
const pgPort = process.env.QM_PG_PORT ?? '5432';
const pgUser = process.env.QM_PG_USER ?? 'root';
await ensureDatabase();

const running = new Map<string, ChildProcess>();
let stopping = false;
const stop = () => void stopAll().then(() => process.exit(0));
process.once('SIGINT', stop).once('SIGTERM', stop);

const venueUrl = `http://127.0.0.1:${venuePort}`;
const venue = start('sim-venue', [
  'sim-venue',
  '--port',
  String(venuePort),
  '--symbols',
  SYMBOLS,
  '--api-key',
  VENUE_ACCOUNT.apiKey,
  '--api-secret',
  VENUE_ACCOUNT.apiSecret,
  '--step-interval-ms',
  flags['step-interval-ms'],
]);
await waitForHttp(`${venueUrl}/fapi/v1/ping`, venue, 'sim-venue');
say(`sim-venue pid ${venue.pid} ${venueUrl} (${SYMBOLS})`);

const instanceEnv = {
  QM_PG_HOST: pgHost,
  QM_PG_PORT: pgPort,
  QM_PG_USER: pgUser,
  QM_PG_DATABASE: flags.database,
  QM_PG_PASSWORD: process.env.QM_PG_PASSWORD ?? 'unused-with-trust-auth',
  QM_REDIS_ADDR: process.env.QM_REDIS_ADDR ?? '127.0.0.1:6379',
  QM_LOCK_PREFIX: flags['lock-prefix'],
  QM_VENUE_URL: venueUrl,
  QM_DATA_DIR: dataDir,
};
// The active instances start together; the standby last, once they have campaigned for their symbols.
await Promise.all(INSTANCES.slice(0, 2).map((id) => startInstance(id)));
await startInstance('instance-3', ['--standby']);

if (nginxInstalled()) {
  const prefix = join(dataDir, 'nginx');
  await mkdir(prefix, { recursive: true });
  await writeFile(join(prefix, 'nginx.conf'), await localNginxConf());
  const nginx = start(
    'nginx',
    ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', `daemon off; pid ${join(prefix, 'nginx.pid')};`],
    {},
    'nginx',
  );
  await waitForHttp(`http://127.0.0.1:${nginxPort}/healthz`, nginx, 'nginx');
  say(`nginx pid ${nginx.pid} http://127.0.0.1:${nginxPort} (one instance: /instances/<instance-id>/api/status)`);
} else {
  say('nginx is not installed (apt-get install -y nginx): ask the instances directly');
}
say(
  `ready: venue ${venueUrl}, database ${flags.database}, lock prefix ${flags['lock-prefix']}, logs in ${dataDir}; Ctrl-C stops everything`,
);

async function startInstance(id: (typeof INSTANCES)[number], extra: readonly string[] = []): Promise<void> {
  const webPort = instancePorts[INSTANCES.indexOf(id)]!;
  const child = start(id, ['--config', join(HERE, `${id}.yaml`), '--web-port', String(webPort), ...extra], instanceEnv);
  await waitForHttp(`http://127.0.0.1:${webPort}/healthz`, child, id);
  say(`${id} pid ${child.pid} http://127.0.0.1:${webPort}${extra.includes('--standby') ? ' (standby)' : ''}`);
}

function start(
  name: string,
  args: readonly string[],
  env: Record<string, string> = {},
  command?: string,
): ChildProcess {
  const [file, argv] =
    command === undefined
      ? [process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), ...args]]
      : [command, args];
  const child = spawn(file, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(dataDir, `${name}.log`), { flags: 'a' });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  running.set(name, child);
  child.once('exit', (code, signal) => {
    running.delete(name);
    if (!stopping)
      say(`${name} exited (${signal ?? code}); the others keep running (log: ${join(dataDir, `${name}.log`)})`);
  });
  return child;
}

/** Stops the instances first (each cancels its grid's orders), then nginx, then the venue. */
async function stopAll(): Promise<void> {
  if (stopping) return;
  stopping = true;
  say('stopping: instances, then nginx, then the venue');
  const order = [[...INSTANCES], ['nginx'], ['sim-venue']];
  for (const names of order) {
    await Promise.all(
      names.map(async (name) => {
        const child = running.get(name);
        if (child === undefined) return;
        const exited = once(child, 'exit');
        child.kill(name === 'nginx' ? 'SIGQUIT' : 'SIGINT');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
  say(
    `stopped; the records stay in database ${flags.database} (drop it with: psql -h ${pgHost} -U ${pgUser} -d postgres -c 'DROP DATABASE ${flags.database}')`,
  );
}

async function ensureDatabase(): Promise<void> {
  const admin = new pg.Client({
    host: pgHost,
    port: Number(pgPort),
    user: pgUser,
    password: process.env.QM_PG_PASSWORD,
    database: 'postgres',
    connectionTimeoutMillis: 15_000,
  });
  await admin
    .connect()
    .catch((error: Error) =>
      fail(
        `PostgreSQL is not reachable at ${pgHost}:${pgPort} as ${pgUser} (${error.message}); start it, or set QM_PG_HOST/QM_PG_PORT/QM_PG_USER/QM_PG_PASSWORD`,
      ),
    );
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [flags.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${flags.database}`);
  } finally {
    await admin.end();
  }
}

/** examples/ha/nginx.conf with the compose host names replaced by this machine's ports. */
async function localNginxConf(): Promise<string> {
  let text = await readFile(join(HERE, 'nginx.conf'), 'utf8');
  for (const [index, id] of INSTANCES.entries())
    text = text.replaceAll(`${id}:${8081 + index}`, `127.0.0.1:${instancePorts[index]}`);
  return text.replace(/listen 8080;/, `listen 127.0.0.1:${nginxPort};`);
}

function nginxInstalled(): boolean {
  return spawnSync('nginx', ['-v']).error === undefined;
}

/** Polls `url` until it answers (any status); fails if `child` exits first or after 3 minutes (a loaded machine). */
async function waitForHttp(url: string, child: ChildProcess, name: string): Promise<void> {
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (
      await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
        () => true,
        () => false,
      )
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await stopAll();
  fail(`${name} did not start (see ${join(dataDir, `${name}.log`)})`);
}

function port(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 65_535) fail(`not a port: ${text}`);
  return value;
}

function say(line: string): void {
  console.log(`[example:ha] ${line}`);
}

function fail(message: string): never {
  console.error(`[example:ha] ${message}`);
  process.exit(1);
}
