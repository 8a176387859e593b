/**
 * The harness itself: it reaches every real service, and its FaultProxy cuts and restores a live
 * connection to each (what every fault test later relies on).
 */
import { Etcd3 } from 'etcd3';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEtcd } from './etcd.js';
import { FaultProxy } from './fault-proxy.js';
import { createMariadbDatabase } from './mariadb.js';
import { createPostgresDatabase } from './postgres.js';
import { sharedRedis, startOwnRedis } from './redis.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('fault proxy in front of PostgreSQL', () => {
  it('cuts a live connection, refuses new ones, and lets them through again after restore', async () => {
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const proxy = await FaultProxy.start(database.host, database.port);
    cleanups.push(() => proxy.close());
    const url = new URL(database.url);
    url.host = `${proxy.host}:${proxy.port}`;

    const client = new pg.Client({ connectionString: url.toString() });
    client.on('error', () => {});
    await client.connect();
    expect((await client.query('SELECT current_database() AS name')).rows[0].name).toBe(database.name);

    proxy.cut();
    await expect(client.query('SELECT 1')).rejects.toThrow();

    proxy.refuse();
    const refused = new pg.Client({ connectionString: url.toString() });
    refused.on('error', () => {});
    await expect(refused.connect()).rejects.toThrow();

    proxy.restore();
    const again = new pg.Client({ connectionString: url.toString() });
    await again.connect();
    expect((await again.query('SELECT 2 AS two')).rows[0].two).toBe(2);
    await again.end();
  });
});

describe('fault proxy in front of MariaDB', () => {
  it('cuts a live connection and restores access', async () => {
    const database = await createMariadbDatabase();
    cleanups.push(() => database.drop());
    const proxy = await FaultProxy.start(database.host, database.port);
    cleanups.push(() => proxy.close());
    const options = { host: proxy.host, port: proxy.port, user: 'root', database: database.name };

    const connection = await mysql.createConnection(options);
    connection.on('error', () => {});
    const [rows] = await connection.query('SELECT DATABASE() AS name');
    expect((rows as Array<{ name: string }>)[0]?.name).toBe(database.name);

    proxy.cut();
    await expect(connection.query('SELECT 1')).rejects.toThrow();

    proxy.restore();
    const again = await mysql.createConnection(options);
    const [two] = await again.query('SELECT 2 AS two');
    expect((two as Array<{ two: number }>)[0]?.two).toBe(2);
    await again.end();
  });
});

describe('fault proxy in front of Redis', () => {
  it('blackholes a live connection until restored, and cuts it', async () => {
    const { url, prefix } = await sharedRedis();
    const target = new URL(url);
    const proxy = await FaultProxy.start(target.hostname, Number(target.port));
    cleanups.push(() => proxy.close());
    const redis = new Redis({
      host: proxy.host,
      port: proxy.port,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    redis.on('error', () => {});
    await redis.connect();
    await redis.set(`${prefix}k`, 'v', 'PX', 60_000);

    proxy.blackhole();
    const pending = redis.get(`${prefix}k`);
    const outcome = await Promise.race([
      pending.then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('silent'), 300)),
    ]);
    expect(outcome).toBe('silent');
    proxy.restore();
    proxy.cut();
    await expect(pending).rejects.toThrow();

    const again = new Redis({ host: proxy.host, port: proxy.port });
    expect(await again.get(`${prefix}k`)).toBe('v');
    await again.del(`${prefix}k`);
    again.disconnect();
    redis.disconnect();
  });

  it('runs a redis-server of its own that a test may stop and start', async () => {
    const own = await startOwnRedis();
    cleanups.push(() => own.close());
    const redis = new Redis(own.url, { maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    expect(await redis.ping()).toBe('PONG');
    await own.stop();
    await expect(redis.ping()).rejects.toThrow();
    await own.start();
    expect(await redis.ping()).toBe('PONG');
    redis.disconnect();
  });
});

describe('fault proxy in front of etcd', () => {
  it('starts etcd on a free port, cuts the client connection, and recovers after restore', async () => {
    const etcd = await startEtcd();
    cleanups.push(() => etcd.close());
    const proxy = await FaultProxy.start('127.0.0.1', etcd.port);
    cleanups.push(() => proxy.close());
    const client = new Etcd3({ hosts: `http://${proxy.host}:${proxy.port}`, dialTimeout: 1000 });
    await client.put('qm/harness').value('1');
    expect(await client.get('qm/harness').string()).toBe('1');

    proxy.refuse();
    proxy.cut();
    await expect(client.get('qm/harness').options({}).string()).rejects.toThrow();

    proxy.restore();
    client.close();
    const again = new Etcd3({ hosts: `http://${proxy.host}:${proxy.port}`, dialTimeout: 1000 });
    expect(await again.get('qm/harness').string()).toBe('1');
    again.close();
  });
});
