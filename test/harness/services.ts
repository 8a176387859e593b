/**
 * Where the machine's shared services are, and how to say that one is missing.
 * Tests never stop or reconfigure these; to break a service a test starts its own instance or puts
 * a FaultProxy in front of it. Override with QM_TEST_PG_URL, QM_TEST_MYSQL_URL, QM_TEST_REDIS_URL.
 */
import { connect } from 'node:net';

export const services = {
  postgres: {
    url: process.env.QM_TEST_PG_URL ?? 'postgres://root@127.0.0.1:5432/postgres',
    host: '127.0.0.1',
    port: 5432,
    howToStart:
      'start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start (or run `npm test`, which does it)',
  },
  mariadb: {
    url: process.env.QM_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test',
    host: '127.0.0.1',
    port: 3306,
    howToStart:
      'start it with: start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd (or run `npm test`, which does it)',
  },
  redis: {
    url: process.env.QM_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    host: '127.0.0.1',
    port: 6379,
    howToStart:
      'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no (or run `npm test`, which does it)',
  },
  etcd: {
    binary: process.env.QM_TEST_ETCD_BIN ?? 'etcd',
    howToStart:
      'install it with: apt-get install -y etcd-server (or run `npm test`, which does it); tests start their own etcd',
  },
} as const;

export type ServiceName = keyof typeof services;

/** Throws a message naming the service and how to start it when nothing listens on host:port. */
export async function requireListening(name: Exclude<ServiceName, 'etcd'>): Promise<void> {
  const service = services[name];
  const url = new URL(service.url);
  const host = url.hostname;
  const port = Number(url.port) || service.port;
  await new Promise<void>((resolve, reject) => {
    const socket = connect({ host, port });
    socket.setTimeout(3000);
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    const fail = (why: string) => {
      socket.destroy();
      reject(new Error(`${name} is not reachable at ${host}:${port} (${why}); ${service.howToStart}`));
    };
    socket.once('timeout', () => fail('timed out'));
    socket.once('error', (error) => fail(error.message));
  });
}
