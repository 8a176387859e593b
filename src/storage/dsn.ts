/**
 * Database DSNs in every form the HA design shows, parsed into one connection shape:
 * - SQLite: a file path (`./data/quantmesh.db`), `file:PATH`, `sqlite://PATH` or `:memory:`;
 * - PostgreSQL: a URL (`postgres://user:pass@h1:5432,h2:5433/db?sslmode=disable`) or libpq keywords
 *   (`host=h1,h2 user=quantmesh password=secret dbname=quantmesh port=5432 sslmode=disable`);
 * - MySQL: a URL (`mysql://user:pass@host:3306/db`) or the Go driver form
 *   (`user:pass@tcp(host:3306)/db?charset=utf8mb4&parseTime=True&loc=Local`).
 * Several hosts mean a primary/replica set: the adapter finds the writable one.
 * Passwords are kept only in the parsed object; `redactDsn` masks them for logs and errors.
 */
import { InvalidDsnError } from './errors.js';

export type DsnDialect = 'sqlite' | 'postgres' | 'mysql';

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

export interface SqliteConnection {
  readonly dialect: 'sqlite';
  /** File path, or `:memory:`. */
  readonly filename: string;
}

export interface ServerConnection {
  readonly dialect: 'postgres' | 'mysql';
  readonly hosts: readonly HostPort[];
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly database: string;
  /** Remaining options (`sslmode`, `charset`, ...), as given. */
  readonly params: Readonly<Record<string, string>>;
}

export type DatabaseConnection = SqliteConnection | ServerConnection;

const DEFAULT_PORT = { postgres: 5432, mysql: 3306 } as const;
const MASK = '***';

export function parseDsn(dialect: DsnDialect, dsn: string): DatabaseConnection {
  const text = dsn.trim();
  const fail = (reason: string): never => {
    throw new InvalidDsnError(dialect, redactDsn(text), reason);
  };
  if (text === '') fail('it is empty');
  if (dialect === 'sqlite') return parseSqlite(text, fail);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return parseUrl(dialect, text, fail);
  if (dialect === 'postgres') return parsePostgresKeywords(text, fail);
  return parseGoMysql(text, fail);
}

function parseSqlite(text: string, fail: (reason: string) => never): SqliteConnection {
  if (/^(postgres(ql)?|mysql):\/\//i.test(text)) fail('a SQLite DSN is a file path, not a server URL');
  const filename = text.replace(/^sqlite:\/\//i, '').replace(/^file:/i, '');
  if (filename === '') fail('the file path is empty');
  return { dialect: 'sqlite', filename };
}

function parseUrl(dialect: 'postgres' | 'mysql', text: string, fail: (reason: string) => never): ServerConnection {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?]*)(?:\/([^?]*))?(?:\?(.*))?$/i.exec(text);
  if (match === null) return fail('it is not a valid URL');
  const [, scheme, user, password, hostList, database, query] = match;
  const allowed = dialect === 'postgres' ? ['postgres', 'postgresql'] : ['mysql', 'mariadb'];
  if (!allowed.includes(scheme!.toLowerCase())) fail(`the scheme must be ${allowed.join(' or ')}, not ${scheme}`);
  const params = Object.fromEntries(new URLSearchParams(query ?? ''));
  return {
    dialect,
    hosts: parseHosts(hostList ?? '', DEFAULT_PORT[dialect], fail),
    user: user ? decodeURIComponent(user) : undefined,
    password: password !== undefined ? decodeURIComponent(password) : undefined,
    database: requireDatabase(decodeURIComponent(database ?? ''), fail),
    params,
  };
}

function parsePostgresKeywords(text: string, fail: (reason: string) => never): ServerConnection {
  const pairs = new Map<string, string>();
  const pattern = /\s*([a-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|\S*)/gy;
  let consumed = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const raw = match[2]!;
    pairs.set(match[1]!, raw.startsWith("'") ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw);
    consumed = pattern.lastIndex;
  }
  if (pairs.size === 0 || text.slice(consumed).trim() !== '')
    fail('expected a postgres:// URL or key=value pairs such as "host=localhost dbname=quantmesh"');
  const { host = 'localhost', port, user, password, dbname, ...rest } = Object.fromEntries(pairs);
  const ports = (port ?? '').split(',');
  const hosts = host.split(',').map((name, index) => `${name}:${ports[index] ?? ports[0] ?? ''}`.replace(/:$/, ''));
  return {
    dialect: 'postgres',
    hosts: parseHosts(hosts.join(','), DEFAULT_PORT.postgres, fail),
    user,
    password,
    database: requireDatabase(dbname ?? '', fail),
    params: rest,
  };
}

function parseGoMysql(text: string, fail: (reason: string) => never): ServerConnection {
  const match = /^(?:([^:@]*)(?::(.*))?@)?(?:tcp\(([^)]*)\)|unix\(([^)]*)\))?\/([^?]*)(?:\?(.*))?$/.exec(text);
  if (match === null) return fail('expected a mysql:// URL or the form user:password@tcp(host:3306)/dbname');
  const [, user, password, tcp, unix, database, query] = match;
  if (unix !== undefined) fail('unix sockets are not supported; use tcp(host:port)');
  return {
    dialect: 'mysql',
    hosts: parseHosts(tcp ?? '127.0.0.1:3306', DEFAULT_PORT.mysql, fail),
    user: user || undefined,
    password,
    database: requireDatabase(database ?? '', fail),
    params: Object.fromEntries(new URLSearchParams(query ?? '')),
  };
}

function parseHosts(list: string, defaultPort: number, fail: (reason: string) => never): HostPort[] {
  if (list.trim() === '') return fail('no host is given');
  return list.split(',').map((entry) => {
    const bracketed = /^\[([^\]]+)\](?::(\d*))?$/.exec(entry.trim());
    const plain = /^([^:]+)(?::(\d*))?$/.exec(entry.trim());
    const parts = bracketed ?? plain;
    if (parts === null) return fail(`host ${JSON.stringify(entry)} is not host[:port]`);
    const port = parts[2] ? Number(parts[2]) : defaultPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return fail(`port ${parts[2]} is not between 1 and 65535`);
    return { host: parts[1]!, port };
  });
}

function requireDatabase(name: string, fail: (reason: string) => never): string {
  if (name.trim() === '') return fail('no database name is given');
  return name;
}

/** The DSN with any password replaced by `***` (URL, keyword and Go forms). */
export function redactDsn(dsn: string): string {
  return dsn
    .replace(/(^|[\s;])(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S*)/gi, `$1$2${MASK}`)
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):[^@/]*@/i, `$1:${MASK}@`)
    .replace(/^([^:@/\s]*):[^@]*@(tcp|unix)\(/, `$1:${MASK}@$2(`);
}

/** A libpq/mysql2-style URL for one host, for drivers that take a connection string. */
export function connectionUrl(connection: ServerConnection, host: HostPort): string {
  const scheme = connection.dialect === 'postgres' ? 'postgres' : 'mysql';
  const auth =
    connection.user === undefined
      ? ''
      : `${encodeURIComponent(connection.user)}${connection.password === undefined ? '' : `:${encodeURIComponent(connection.password)}`}@`;
  const query = new URLSearchParams(connection.params).toString();
  const hostText = host.host.includes(':') ? `[${host.host}]` : host.host;
  return `${scheme}://${auth}${hostText}:${host.port}/${encodeURIComponent(connection.database)}${query ? `?${query}` : ''}`;
}
