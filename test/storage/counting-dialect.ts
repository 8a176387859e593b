/**
 * A StorageDialect whose connections record every statement they send (BEGIN and COMMIT included:
 * Kysely's drivers send those through the same connection), so a test can count the round trips a
 * call makes on each dialect.
 */
import type { DatabaseConnection, Dialect, Driver } from 'kysely';
import type { StorageDialect } from '../../src/storage/kysely/storage-dialect.js';

export interface CountingDialect {
  readonly storage: StorageDialect;
  /** Statements sent so far, in order (their SQL text). */
  readonly statements: string[];
}

function countingConnection(connection: DatabaseConnection, statements: string[]): DatabaseConnection {
  return new Proxy(connection, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'executeQuery')
        return (query: Parameters<DatabaseConnection['executeQuery']>[0]) => {
          statements.push(query.sql);
          return target.executeQuery(query);
        };
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export function countingDialect(storage: StorageDialect): CountingDialect {
  const statements: string[] = [];
  const inner = storage.kyselyDialect;
  const wrapped = new WeakMap<DatabaseConnection, DatabaseConnection>();
  const kyselyDialect: Dialect = {
    createAdapter: () => inner.createAdapter(),
    createIntrospector: (db) => inner.createIntrospector(db),
    createQueryCompiler: () => inner.createQueryCompiler(),
    createDriver(): Driver {
      const driver = inner.createDriver();
      return {
        init: () => driver.init(),
        async acquireConnection() {
          const connection = await driver.acquireConnection();
          let proxy = wrapped.get(connection);
          if (proxy === undefined) wrapped.set(connection, (proxy = countingConnection(connection, statements)));
          return proxy;
        },
        // The drivers send BEGIN/COMMIT/ROLLBACK through the connection they are given: the proxy counts them.
        beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
        commitTransaction: (connection) => driver.commitTransaction(connection),
        rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
        // The proxy forwards the drivers' private release method to the connection itself.
        releaseConnection: (connection) => driver.releaseConnection(connection),
        destroy: () => driver.destroy(),
      };
    },
  };
  return { storage: { ...storage, kyselyDialect, classify: (e) => storage.classify(e) }, statements };
}
