import type { SqlDialect } from '../database.js';

/**
 * The database type a DSN denotes: URLs and keyword DSNs name their server; the Go MySQL form has
 * `@tcp(`; anything else is a SQLite file path.
 */
export function inferDatabaseType(dsn: string): SqlDialect {
  const text = dsn.trim();
  if (/^postgres(ql)?:\/\//i.test(text) || /(^|\s)(host|dbname)\s*=/i.test(text)) return 'postgres';
  if (/^(mysql|mariadb):\/\//i.test(text) || /@(tcp|unix)\(/.test(text)) return 'mysql';
  return 'sqlite';
}
