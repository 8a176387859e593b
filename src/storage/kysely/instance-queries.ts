/** The instance registry: one row per instance, overwritten at every heartbeat. */
import type { InstanceRecord } from '../records.js';
import { upsertRow } from './dialect-sql.js';
import type { QueryContext } from './query-context.js';
import { toNumber } from './row-mappers.js';

export async function saveInstance({ db, dialect }: QueryContext, record: InstanceRecord): Promise<void> {
  await upsertRow(db, dialect, 'instances', ['instance_id'], {
    instance_id: record.instanceId,
    heartbeat_at: record.heartbeatAt,
    snapshot: JSON.stringify(record.snapshot),
  });
}

export async function getInstances({ db }: QueryContext): Promise<InstanceRecord[]> {
  const rows = await db.selectFrom('instances').selectAll().orderBy('instance_id').execute();
  return rows.map((row) => ({
    instanceId: row.instance_id,
    heartbeatAt: toNumber(row.heartbeat_at),
    snapshot: JSON.parse(row.snapshot) as Record<string, unknown>,
  }));
}
