/** The storage factory's option checks and the DSN type inference of `db copy`. */
import { expect, it } from 'vitest';
import { inferDatabaseType } from '../../src/storage/copy/database-type.js';
import { InvalidDsnError, InvalidStorageOptionsError } from '../../src/storage/errors.js';
import { openDatabase, poolSettings } from '../../src/storage/open-database.js';

it('pool settings default, clamp idle to open, and refuse nonsense', () => {
  expect(poolSettings({ type: 'postgres', dsn: 'x' })).toEqual({
    maxOpenConns: 25,
    maxIdleConns: 5,
    connMaxLifetimeSeconds: 3600,
  });
  expect(poolSettings({ type: 'postgres', dsn: 'x', maxOpenConns: 2, maxIdleConns: 10 }).maxIdleConns).toBe(2);
  expect(() => poolSettings({ type: 'mysql', dsn: 'x', maxOpenConns: 0 })).toThrow(InvalidStorageOptionsError);
  expect(() => poolSettings({ type: 'mysql', dsn: 'x', maxIdleConns: -1 })).toThrow(InvalidStorageOptionsError);
  expect(() => poolSettings({ type: 'mysql', dsn: 'x', connMaxLifetimeSeconds: Number.NaN })).toThrow(
    InvalidStorageOptionsError,
  );
});

it('an unknown type or a bad DSN is a typed error that never shows the password', async () => {
  await expect(openDatabase({ type: 'oracle' as 'mysql', dsn: 'x' })).rejects.toBeInstanceOf(
    InvalidStorageOptionsError,
  );
  const error = await openDatabase({ type: 'postgres', dsn: 'postgres://user:hunter2@host:99999/db' }).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidDsnError);
  expect(String((error as Error).message)).not.toContain('hunter2');
});

it('db copy infers the database type from each DSN form', () => {
  expect(inferDatabaseType('./data/quantmesh.db')).toBe('sqlite');
  expect(inferDatabaseType('postgres://u:p@h/db')).toBe('postgres');
  expect(inferDatabaseType('host=h1,h2 user=q dbname=quantmesh')).toBe('postgres');
  expect(inferDatabaseType('mysql://u:p@h/db')).toBe('mysql');
  expect(inferDatabaseType('u:p@tcp(h:3306)/db?parseTime=True')).toBe('mysql');
});
