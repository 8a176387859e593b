/**
 * Symbol ownership (R1, R10, Invariant 4) on the memory lock and on Redis: one of two campaigners
 * wins and keeps the lease past its TTL by renewing it; a stop or a release hands it over; a Redis cut behind a
 * FaultProxy loses it, which releases the runner (no order placed while lost), and healing wins it
 * back with a fresh runner that trades again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { DistributedLock } from '../../../src/coordination/lock/distributed-lock.js';
import { MemoryLock } from '../../../src/coordination/lock/memory/memory-lock.js';
import { RedisLock } from '../../../src/coordination/lock/redis/redis-lock.js';
import { type OwnedSymbol, SymbolOwnership } from '../../../src/coordination/ownership/symbol-ownership.js';
import { dec } from '../../../src/domain/decimal.js';
import { FaultProxy } from '../../harness/fault-proxy.js';
import { sharedRedis } from '../../harness/redis.js';
import { SYMBOL, engineFor, openStore, startSim } from '../../engine/runner-fixture.js';
import { until } from '../../harness/until.js';

const TTL_MS = 900;
const BTC: OwnedSymbol = { exchange: 'sim', symbol: SYMBOL };
const silent = pino({ level: 'silent' });

/** A campaigner whose listener records what it was told. */
function campaigner(lock: DistributedLock, listener: { won?: () => void; lost?: () => void } = {}) {
  const events: string[] = [];
  const ownership = new SymbolOwnership({
    lock,
    ttlMs: TTL_MS,
    logger: silent,
    listener: {
      won: () => {
        events.push('won');
        listener.won?.();
      },
      lost: () => {
        events.push('lost');
        listener.lost?.();
      },
    },
  });
  return { ownership, events, state: () => ownership.state(BTC.exchange, BTC.symbol) };
}

interface Backend {
  readonly name: string;
  /** Two lock clients on the same keys (two instances). */
  pair(): Promise<[DistributedLock, DistributedLock]>;
}

const { url: redisUrl, prefix: redisPrefix } = await sharedRedis();
const redisAddr = new URL(redisUrl).host;

let pairs = 0;
const backends: Backend[] = [
  {
    name: 'memory',
    pair: async () => {
      const lock = new MemoryLock();
      return [lock, lock];
    },
  },
  {
    name: 'redis',
    pair: async () => {
      pairs += 1;
      const prefix = `${redisPrefix}pair${pairs}:`;
      return [new RedisLock({ addr: redisAddr, prefix }), new RedisLock({ addr: redisAddr, prefix })];
    },
  },
];

describe.each(backends)('symbol ownership on $name', (backend) => {
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });

  it('one of two campaigners wins, keeps the lease past three TTLs by renewing it, and a stop hands it over without a loss', async () => {
    const [lockA, lockB] = await backend.pair();
    const a = campaigner(lockA);
    const b = campaigner(lockB);
    cleanup.push(async () => {
      await a.ownership.stop();
      await b.ownership.stop();
      await lockA.close();
      if (lockB !== lockA) await lockB.close();
    });
    expect(a.state()).toBeUndefined();
    a.ownership.campaign([BTC]);
    expect(a.state()).toBe('waiting');
    await until(() => a.state() === 'owned', 'a wins');
    b.ownership.campaign([BTC]);
    // Past three TTLs: only renewals keep a's lease; b keeps waiting.
    await new Promise((resolve) => setTimeout(resolve, 3 * TTL_MS));
    expect(a.state()).toBe('owned');
    expect(b.state()).toBe('waiting');
    expect(b.events).toEqual([]);
    await a.ownership.stop();
    await until(() => b.state() === 'owned', 'b takes over once a released');
    expect(a.events).toEqual(['won']);
    expect(b.events).toEqual(['won']);
  });

  it('release hands one symbol over without a loss, leaves the others held, and the symbol can be campaigned for again', async () => {
    const [lockA, lockB] = await backend.pair();
    const ETH: OwnedSymbol = { exchange: 'sim', symbol: 'ETHUSDT' };
    const a = campaigner(lockA);
    const b = campaigner(lockB);
    cleanup.push(async () => {
      await a.ownership.stop();
      await b.ownership.stop();
      await lockA.close();
      if (lockB !== lockA) await lockB.close();
    });
    a.ownership.campaign([BTC, ETH]);
    await until(() => a.state() === 'owned' && a.ownership.state('sim', 'ETHUSDT') === 'owned', 'a wins both');
    b.ownership.campaign([BTC]);
    // A second campaign for a symbol campaigned for already is not started.
    a.ownership.campaign([BTC]);
    await a.ownership.release(BTC);
    expect(a.state()).toBeUndefined();
    await until(() => b.state() === 'owned', 'b takes BTC over once a released it');
    expect(a.ownership.state('sim', 'ETHUSDT')).toBe('owned');
    expect(a.events).toEqual(['won', 'won']);
    await b.ownership.release(BTC);
    a.ownership.campaign([BTC]);
    await until(() => a.state() === 'owned', 'a wins BTC back');
    expect(b.events).toEqual(['won']);
  });

  it('a stop releases a lease only once what `won` returned settled, renewing it meanwhile (a symbol won as the instance stops is wound down while owned)', async () => {
    const [lockA, lockB] = await backend.pair();
    let finish = () => undefined as void;
    const windDown = new Promise<void>((resolve) => {
      finish = resolve;
    });
    let held: AbortSignal | undefined;
    const a = new SymbolOwnership({
      lock: lockA,
      ttlMs: TTL_MS,
      logger: silent,
      listener: {
        won: (_owned, lease) => {
          held = lease.signal;
          return windDown;
        },
        lost: () => undefined,
      },
    });
    const b = campaigner(lockB);
    cleanup.push(async () => {
      finish();
      await a.stop();
      await b.ownership.stop();
      await lockA.close();
      if (lockB !== lockA) await lockB.close();
    });
    a.campaign([BTC]);
    await until(() => a.state('sim', SYMBOL) === 'owned', 'a wins');
    b.ownership.campaign([BTC]);
    let stopped = false;
    const stopping = a.stop().then(() => {
      stopped = true;
    });
    // Past two TTLs of winding down: still held by renewals, not released, b still waiting.
    await new Promise((resolve) => setTimeout(resolve, 2 * TTL_MS));
    expect(stopped).toBe(false);
    expect(held?.aborted).toBe(false);
    expect(b.state()).toBe('waiting');
    finish();
    await stopping;
    await until(() => b.state() === 'owned', 'b takes over once the wind-down settled and a released');
  });

  it('a campaign delayed by a standby waits out the delay even when the symbol is free', async () => {
    const [lock] = await backend.pair();
    const standby = campaigner(lock);
    cleanup.push(async () => {
      await standby.ownership.stop();
      await lock.close();
    });
    const started = performance.now();
    standby.ownership.campaign([BTC], TTL_MS);
    await until(() => standby.state() === 'owned', 'the standby wins after its delay');
    expect(performance.now() - started).toBeGreaterThanOrEqual(TTL_MS - 5);
  });
});

describe('symbol ownership lost when Redis is cut (FaultProxy)', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('the lost lease stops the runner from placing orders at once, and healing wins the symbol back with a fresh runner', async () => {
    dir = await mkdtemp(join(tmpdir(), 'qm-ownership-'));
    const proxy = await FaultProxy.start('127.0.0.1', Number(new URL(redisUrl).port));
    const ownershipLock = new RedisLock({
      addr: `${proxy.host}:${proxy.port}`,
      prefix: `${redisPrefix}cut:`,
      commandTimeoutMs: 300,
    });
    // The per-order lock is elsewhere, so only the ownership gate can stop placements.
    const orderLock = new MemoryLock();
    const sim = startSim();
    const database = await openStore(dir);
    const engine = engineFor(sim, database, orderLock);
    const a = campaigner(ownershipLock, {
      won: () => void engine.ownershipWon(SYMBOL),
      lost: () => engine.ownershipLost(SYMBOL),
    });
    try {
      await engine.start();
      sim.exchange.engine.setPrice(SYMBOL, dec('60000'));
      expect(engine.runner(SYMBOL)!.lifecycle).toBe('ready');
      a.ownership.campaign([BTC]);
      await until(() => engine.runner(SYMBOL)!.lifecycle === 'running', 'the runner starts once owned');
      sim.exchange.engine.setPrice(SYMBOL, dec('60010'));
      await until(() => sim.accepted.length > 0, 'orders placed while owned');

      proxy.refuse();
      proxy.cut();
      await until(() => a.state() === 'lost', 'the lease is lost', 5 * TTL_MS);
      const released = engine.runner(SYMBOL)!;
      expect(released.lifecycle).toBe('stopped');
      const placedWhileOwned = sim.accepted.length;
      // The market moves through the grid: a running runner would fill, re-quote and place.
      for (const price of ['59700', '59500', '60300', '60500']) {
        sim.exchange.engine.setPrice(SYMBOL, dec(price));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(sim.accepted.length).toBe(placedWhileOwned);

      proxy.restore();
      await until(() => a.state() === 'owned', 'the symbol is won again', 10 * TTL_MS);
      await until(() => engine.runner(SYMBOL)!.lifecycle === 'running', 'a fresh runner starts');
      expect(engine.runner(SYMBOL)).not.toBe(released);
      sim.exchange.engine.setPrice(SYMBOL, dec('60000'));
      await until(() => sim.accepted.length > placedWhileOwned, 'orders placed again after the re-win');
      expect(a.events).toEqual(['won', 'lost', 'won']);
      const duplicates = sim.accepted.filter((id, index) => sim.accepted.indexOf(id) !== index);
      expect(duplicates).toEqual([]);
    } finally {
      await engine.stop({ cancelOnExit: false, closePositions: false });
      await a.ownership.stop();
      await ownershipLock.close();
      await database.close();
      await proxy.close();
    }
  }, 30_000);
});
