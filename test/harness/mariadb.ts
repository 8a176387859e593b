/** A fresh MariaDB/MySQL database per test file, dropped afterwards. */
import mysql from 'mysql2/promise';
import { type TestDatabase, uniqueName } from './postgres.js';
import { requireListening, services } from './services.js';

export async function createMariadbDatabase(): Promise<TestDatabase> {
  await requireListening('mariadb');
  const name = uniqueName('qm_test');
  const admin = await mysql.createConnection(services.mariadb.url);
  try {
    await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.end();
  }
  const url = new URL(services.mariadb.url);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    host: url.hostname,
    port: Number(url.port) || 3306,
    async drop() {
      const connection = await mysql.createConnection(services.mariadb.url);
      try {
        await connection.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await connection.end();
      }
    },
  };
}
