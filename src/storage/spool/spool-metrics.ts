import { Counter, Gauge, type Registry } from 'prom-client';

/** prom-client instruments of the spool, registered only when a Registry is given. */
export interface SpoolMetrics {
  readonly rejected: Counter;
  readonly flushFailures: Counter;
  readonly deadLetters: Counter;
  readonly fencedOut: Counter;
}

export function registerSpoolMetrics(registry: Registry, read: () => { records: number; bytes: number }): SpoolMetrics {
  new Gauge({
    name: 'quantmesh_storage_spool_records',
    help: 'Records in the write-behind spool not yet written to the database',
    registers: [registry],
    collect() {
      this.set(read().records);
    },
  });
  new Gauge({
    name: 'quantmesh_storage_spool_bytes',
    help: 'Bytes of spooled records not yet written to the database',
    registers: [registry],
    collect() {
      this.set(read().bytes);
    },
  });
  return {
    rejected: new Counter({
      name: 'quantmesh_storage_spool_rejected_total',
      help: 'Writes refused because the spool was full',
      registers: [registry],
    }),
    flushFailures: new Counter({
      name: 'quantmesh_storage_spool_flush_failures_total',
      help: 'Failed attempts to write a spooled batch to the database',
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'quantmesh_storage_spool_dead_letters_total',
      help: 'Spooled records the database refused, moved to the dead-letter file',
      registers: [registry],
    }),
    fencedOut: new Counter({
      name: 'quantmesh_storage_spool_fenced_out_total',
      help: "Spooled transactions dropped because their symbol's ownership had passed to another instance",
      registers: [registry],
    }),
  };
}
