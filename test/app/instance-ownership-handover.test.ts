/**
 * A dynamic-allocation handover in one process (R6, Invariant 4): InstanceOwnership owns and trades
 * a symbol assigned to it; once the symbol is no longer assigned its runner stops WITHOUT
 * cancelling (the working orders stay at the venue for the next owner to adopt), the symbol is
 * reported `unassigned`, and the lease is released so another campaigner wins it at once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { InstanceOwnership } from '../../src/app/instance-ownership.js';
import { MemoryLock } from '../../src/coordination/lock/memory/memory-lock.js';
import { type OwnedSymbol, SymbolOwnership } from '../../src/coordination/ownership/symbol-ownership.js';
import { dec } from '../../src/domain/decimal.js';
import { AlertNotifier } from '../../src/observability/alert-notifier.js';
import { EngineMetrics } from '../../src/observability/engine-metrics.js';
import { SYMBOL, engineFor, openStore, startSim } from '../engine/runner-fixture.js';
import { cleanupAfterAll } from '../harness/cleanup-after-all.js';
import { until } from '../harness/until.js';

const TTL_MS = 900;
const BTC: OwnedSymbol = { exchange: 'sim', symbol: SYMBOL };
const silent = pino({ level: 'silent' });

describe('InstanceOwnership.allocate', () => {
  const cleanup = cleanupAfterAll();

  it('hands an unassigned symbol over: the runner stops, its orders stay at the venue, and the lease goes to the next campaigner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qm-handover-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const lock = new MemoryLock();
    const sim = startSim();
    const database = await openStore(dir);
    const engine = engineFor(sim, database, lock);
    const ownership = new InstanceOwnership({
      lock,
      ttlMs: TTL_MS,
      standby: false,
      instanceId: 'test', // the engine's own (runner-fixture): its intents must match the ownership claim's holder
      engines: new Map([['sim', engine]]),
      symbols: [BTC],
      logger: silent,
      metrics: new EngineMetrics(new Registry()),
      alerts: new AlertNotifier(silent),
      settle: async () => undefined,
      database,
      clock: () => Date.now(),
    });
    const won: string[] = [];
    const next = new SymbolOwnership({
      lock,
      ttlMs: TTL_MS,
      logger: silent,
      listener: { won: () => void won.push('won'), lost: () => void won.push('lost') },
    });
    try {
      await engine.start();
      sim.exchange.engine.setPrice(SYMBOL, dec('60000'));
      await ownership.allocate([BTC]);
      await until(() => engine.runner(SYMBOL)!.lifecycle === 'running', 'the runner starts once owned');
      sim.exchange.engine.setPrice(SYMBOL, dec('60010'));
      await until(() => sim.accepted.length > 0, 'orders placed while owned');
      next.campaign([BTC]);

      await ownership.allocate([]);
      expect(engine.runner(SYMBOL)!.lifecycle).toBe('stopped');
      expect(ownership.state('sim', SYMBOL)).toBe('unassigned');
      const open = sim.exchange.engine.openOrders(sim.exchange.account, SYMBOL);
      expect(open.length).toBeGreaterThan(0);
      await until(
        () => next.state('sim', SYMBOL) === 'owned',
        'the next campaigner wins the released lease',
        2 * TTL_MS,
      );
      // Nothing cancelled by the handover: the same orders still work at the venue.
      expect(
        sim.exchange.engine
          .openOrders(sim.exchange.account, SYMBOL)
          .map((order) => order.clientOrderId)
          .sort(),
      ).toEqual(open.map((order) => order.clientOrderId).sort());
      expect(won).toEqual(['won']);
      // Who traded what when: the win and the handover are on record.
      const ownershipEvents = async () =>
        (await database.getEvents({ symbol: SYMBOL }))
          .map((event) => event.type)
          .filter((type) => type.startsWith('ownership.'))
          .sort();
      await until(async () => (await ownershipEvents()).length === 2, 'ownership events recorded');
      expect(await ownershipEvents()).toEqual(['ownership.acquired', 'ownership.released']);
    } finally {
      await engine.stop({ cancelOnExit: false, closePositions: false });
      await ownership.stop();
      await next.stop();
      await database.close();
    }
  });
});
