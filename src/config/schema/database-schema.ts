/** `database` (R4): which database, its DSN in any form the HA design shows, and pool settings. */
import { parseDsn, redactDsn, type DatabaseConnection } from '../../storage/dsn.js';
import { InvalidDsnError } from '../../storage/errors.js';
import { DEFAULTS } from '../defaults.js';
import { report } from './field.js';
import { derive } from './derive.js';
import { integer, oneOf, string } from './scalars.js';
import { object, optional, withDefault } from './structure.js';
import { duration } from './scalars.js';

export const DATABASE_TYPES = ['sqlite', 'postgres', 'mysql'] as const;

const databaseFields = object(
  {
    type: withDefault(oneOf(DATABASE_TYPES), DEFAULTS.database.type),
    dsn: optional(string({ nonEmpty: true, mask: redactDsn })),
    max_open_conns: withDefault(integer({ min: 1 }), DEFAULTS.database.maxOpenConns),
    max_idle_conns: withDefault(integer({ min: 0 }), DEFAULTS.database.maxIdleConns),
    conn_max_lifetime: withDefault(duration(), DEFAULTS.database.connMaxLifetimeMs),
  },
  {
    check(value, locate, ctx) {
      if (value.type === undefined) return;
      if (value.dsn === undefined && !locate('dsn').found && value.type !== 'sqlite') {
        report(ctx, locate('dsn'), `is required for a ${value.type} database`, {
          allowed:
            value.type === 'postgres'
              ? 'a postgres:// URL or "host=… user=… dbname=…"'
              : 'a mysql:// URL or "user:pass@tcp(host:3306)/db"',
        });
      }
      if (value.dsn !== undefined) {
        try {
          parseDsn(value.type, value.dsn);
        } catch (error) {
          if (!(error instanceof InvalidDsnError)) throw error;
          report(ctx, locate('dsn'), `is not a valid ${value.type} DSN: ${error.reason}`, {
            value: JSON.stringify(error.redactedDsn),
          });
        }
      }
      if (
        value.maxIdleConns !== undefined &&
        value.maxOpenConns !== undefined &&
        value.maxIdleConns > value.maxOpenConns
      ) {
        report(ctx, locate('max_idle_conns'), 'must not exceed max_open_conns', {
          value: String(value.maxIdleConns),
          allowed: `0 to ${value.maxOpenConns}`,
        });
      }
    },
  },
);

/** The database section plus `connection`, the DSN parsed into one normalised shape. */
export const databaseSchema = derive(databaseFields, (value) => {
  const dsn = value.dsn ?? DEFAULTS.database.sqliteDsn;
  return { ...value, dsn, connection: parseDsn(value.type, dsn) as DatabaseConnection };
});
