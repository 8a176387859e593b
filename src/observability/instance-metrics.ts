/**
 * `quantmesh_instance_info{instance_id, version, mode}` = 1 (R9, R1): names the instance behind a
 * scrape target and its mode (active, standby, activated, degraded-standby, degraded-leader), read
 * when scraped, so the dashboard's instance table shows which instance is the standby without a
 * second source. `quantmesh_degraded` is 1 while the instance is in degraded single-instance mode
 * (either role), 0 otherwise, including on an instance that has nothing to degrade to.
 */
import { Gauge, type Registry } from 'prom-client';

export interface InstanceInfo {
  readonly instanceId: string;
  readonly version: string;
  readonly mode: string;
}

export function registerInstanceInfo(registry: Registry, read: () => InstanceInfo): void {
  new Gauge({
    name: 'quantmesh_instance_info',
    help: 'This instance: its id, version and mode (active, standby, activated, degraded-standby, degraded-leader); always 1',
    labelNames: ['instance_id', 'version', 'mode'],
    registers: [registry],
    collect() {
      this.reset();
      const info = read();
      this.set({ instance_id: info.instanceId, version: info.version, mode: info.mode }, 1);
    },
  });
}

export function registerDegradedMode(registry: Registry, degraded: () => boolean): void {
  new Gauge({
    name: 'quantmesh_degraded',
    help: '1 while this instance is in degraded single-instance mode (the lock backend is lost, R10), as survivor or standby',
    registers: [registry],
    collect() {
      this.set(degraded() ? 1 : 0);
    },
  });
}
