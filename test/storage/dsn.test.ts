import { describe, expect, it } from 'vitest';
import { connectionUrl, parseDsn, redactDsn } from '../../src/storage/dsn.js';
import { InvalidDsnError } from '../../src/storage/errors.js';

describe('parseDsn', () => {
  it('reads the design’s PostgreSQL keyword DSN', () => {
    expect(
      parseDsn('postgres', 'host=localhost user=quantmesh password=secret dbname=quantmesh port=5432 sslmode=disable'),
    ).toEqual({
      dialect: 'postgres',
      hosts: [{ host: 'localhost', port: 5432 }],
      user: 'quantmesh',
      password: 'secret',
      database: 'quantmesh',
      params: { sslmode: 'disable' },
    });
  });

  it('reads a PostgreSQL URL with a primary/replica host list', () => {
    const parsed = parseDsn('postgres', 'postgres://u:p%40ss@db1:5432,db2:5433/qm?sslmode=disable');
    expect(parsed).toMatchObject({
      hosts: [
        { host: 'db1', port: 5432 },
        { host: 'db2', port: 5433 },
      ],
      user: 'u',
      password: 'p@ss',
      database: 'qm',
    });
  });

  it('reads the design’s Go MySQL DSN', () => {
    expect(
      parseDsn('mysql', 'quantmesh:secret@tcp(localhost:3306)/quantmesh?charset=utf8mb4&parseTime=True&loc=Local'),
    ).toEqual({
      dialect: 'mysql',
      hosts: [{ host: 'localhost', port: 3306 }],
      user: 'quantmesh',
      password: 'secret',
      database: 'quantmesh',
      params: { charset: 'utf8mb4', parseTime: 'True', loc: 'Local' },
    });
  });

  it('reads SQLite paths', () => {
    expect(parseDsn('sqlite', './data/quantmesh.db')).toEqual({ dialect: 'sqlite', filename: './data/quantmesh.db' });
    expect(parseDsn('sqlite', 'file:/tmp/x.db')).toEqual({ dialect: 'sqlite', filename: '/tmp/x.db' });
  });

  it.each([
    ['postgres', 'mysql://u@h/db', 'scheme'],
    ['postgres', 'postgres://u:pw@h:99999/db', 'port'],
    ['postgres', 'host=h user=u', 'database'],
    ['mysql', 'u:pw@tcp(h:3306)', 'expected'],
    ['sqlite', 'postgres://h/db', 'file path'],
  ] as const)('refuses %s DSN %s naming the problem without the password', (dialect, dsn, reason) => {
    const attempt = () => parseDsn(dialect, dsn);
    expect(attempt).toThrow(InvalidDsnError);
    expect(attempt).toThrow(reason);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('pw');
    }
  });
});

describe('redactDsn', () => {
  it('masks passwords in every form', () => {
    expect(redactDsn('host=h user=u password=secret dbname=d')).toBe('host=h user=u password=*** dbname=d');
    expect(redactDsn('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d');
    expect(redactDsn('u:secret@tcp(h:3306)/d')).toBe('u:***@tcp(h:3306)/d');
  });

  it('round-trips a parsed DSN to a driver URL', () => {
    const parsed = parseDsn('mysql', 'u:p@tcp(h:3307)/d?charset=utf8mb4');
    if (parsed.dialect === 'sqlite') throw new Error('unexpected');
    expect(connectionUrl(parsed, parsed.hosts[0]!)).toBe('mysql://u:p@h:3307/d?charset=utf8mb4');
  });
});
