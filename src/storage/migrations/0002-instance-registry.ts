/**
 * The instance registry: one row per instance, overwritten at every heartbeat with what the instance
 * reports of itself (mode, owned symbols, health), so any instance answers the same cluster view
 * from the shared database (R12: nginx in front, one consistent view).
 */
import { type Kysely, type Migration, sql } from 'kysely';

export function instanceRegistry(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('instances')
        .ifNotExists()
        .addColumn('instance_id', sql`varchar(128)`, (c) => c.notNull().primaryKey())
        .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
        .addColumn('snapshot', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
