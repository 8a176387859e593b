/**
 * The fence remembers which instance recorded its highest token. After a lock backend forgot its
 * counters (restarted empty) two holders can be handed the same token; the fence then refuses the
 * second holder's intent instead of letting one token fence two holders (Invariant 1). Rows written
 * before this column existed have no holder: the next instance to record their token claims it.
 */
import { type Kysely, type Migration, sql } from 'kysely';

export function fenceHolder(): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .alterTable('fences')
        .addColumn('holder', sql`varchar(128)`)
        .execute();
    },
  };
}
