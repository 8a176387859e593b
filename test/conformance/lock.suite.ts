/**
 * Conformance suite of the DistributedLock port (R2, R3, R8, R10, lock half of Invariant 1). Every
 * backend's test file calls `lockConformance` with its factory; what a backend cannot do (cross
 * process, per-lock leases, faults, restarts) comes from its capabilities, never from skipped tests.
 *
 * Cases:
 *  L01 R2      tryLock takes a free key and refuses a held one
 *  L02 R3      keys are namespaced by the prefix
 *  L03 Inv1    tokens strictly increase across holders
 *  L04 R2      only the holder can extend or unlock (LockLostError), unlock is idempotent
 *  L05 Inv1    a lease that runs out aborts the signal, and another holder takes over (perLockLease)
 *  L06 R2      extend keeps the lock past its first TTL
 *  L07 R2      lock waits for the release and then acquires
 *  L08 R2      lock ends with LockTimeoutError or the caller's abort reason, leaving no waiter behind
 *  L09 R2      withLock renews the lease while work runs longer than the TTL
 *  L10 Inv1    mutual exclusion: 1,000 acquisitions by 20 contenders (processes when crossProcess)
 *  L11 Inv1    a holder paused (SIGSTOP) past its lease loses the lock before it can act again
 *  L12 R10     a cut connection or a restarted backend signals holders; never two live holders
 *  L13 R8      ping reports an unreachable backend with the cause
 *  L14 Inv1    tokens keep increasing across a restart of a backend that keeps its data
 *  L15 R10     an unlock the backend did not confirm leaves the key free again within the lease
 *  L16 Inv1    a raised token floor puts every later token above it, leaves a live holder alone,
 *              and never lowers anything
 *  L17 Inv1    a backend that forgot its counters (restarted empty) resumes above the recorded
 *              token once the floor is raised (fencing continuity)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { DistributedLock, LockHandle } from '../../src/coordination/lock/distributed-lock.js';
import type { DistributedLockOptions } from '../../src/coordination/lock/create-distributed-lock.js';
import { LockBackendUnavailableError, LockLostError, LockTimeoutError } from '../../src/coordination/lock/errors.js';
import { withLock } from '../../src/coordination/lock/with-lock.js';
import type { OwnedProcess } from '../harness/child-process.js';
import { FaultProxy } from '../harness/fault-proxy.js';
import { type CompiledLockWorker, compileLockWorker } from '../coordination/lock/compiled-lock-worker.js';

/** A link to the backend that the test can break and heal. */
export interface LockFault {
  /** Lock objects whose connections the fault reaches (`holder`), and one that watches (`observer`). */
  readonly holder: DistributedLock;
  readonly observer: DistributedLock;
  break(): Promise<void>;
  heal(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fault in the link between one holder and the backend: a FaultProxy in front of the backend at
 * `host:port`; the holder connects through it, the observer directly, both under one fresh prefix.
 * `outage` resets the connections and refuses new ones; `silence` lets no byte through either way.
 */
export async function proxyFault(
  host: string,
  port: number,
  kind: 'outage' | 'silence',
  open: {
    holder(proxy: FaultProxy, prefix: string): DistributedLock | Promise<DistributedLock>;
    observer(prefix: string): DistributedLock | Promise<DistributedLock>;
  },
): Promise<LockFault> {
  const proxy = await FaultProxy.start(host, port);
  const prefix = `qm${kind}-${proxy.port}:`;
  const holder = await open.holder(proxy, prefix);
  const observer = await open.observer(prefix);
  return {
    holder,
    observer,
    async break() {
      if (kind === 'silence') proxy.blackhole();
      else {
        proxy.refuse();
        proxy.cut();
      }
    },
    async heal() {
      proxy.restore();
    },
    async close() {
      await Promise.all([holder.close(), observer.close()]);
      await proxy.close();
    },
  };
}

/**
 * A fault of a backend server of the test's own: holder and observer both reach it directly;
 * `break` and `heal` act on the server (stop and start, a failover, …).
 */
export function serverFault(
  server: { break(): Promise<void>; heal(): Promise<void>; close(): Promise<void> },
  open: () => DistributedLock,
): LockFault {
  const [holder, observer] = [open(), open()];
  return {
    holder,
    observer,
    break: () => server.break(),
    heal: () => server.heal(),
    async close() {
      await Promise.all([holder.close(), observer.close()]);
      await server.close();
    },
  };
}

/** A backend server of the test's own that keeps its data over a restart. */
export interface RestartableBackend {
  create(): Promise<DistributedLock>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface LockBackendUnderTest {
  readonly name: string;
  readonly capabilities: {
    /** Exclusion holds between processes (every backend but memory). */
    readonly crossProcess: boolean;
    /** Each lock has its own lease of `ttlMs` (etcd's lease is its session's instead). */
    readonly perLockLease: boolean;
    /** How long a holder that stops renewing keeps the lock at most, for a lock of `ttlMs`. */
    readonly leaseMs: (ttlMs: number) => number;
  };
  /** A lock object on the shared backend; every call with the same prefix meets the same keys. */
  create(prefix: string): Promise<DistributedLock>;
  /**
   * What a worker process passes to createDistributedLock to reach the same backend; `use` tells
   * whether it will be paused (short leases keep that case quick) or contend (longer leases keep a
   * starved machine from expiring them).
   */
  readonly workerOptions?: (prefix: string, use: 'contend' | 'pause') => DistributedLockOptions;
  /** Named faults (connection cut, backend restart). */
  readonly faults?: Readonly<Record<string, () => Promise<LockFault>>>;
  /** A lock pointed at a backend that does not answer. */
  readonly unreachable?: () => Promise<DistributedLock>;
  readonly restartable?: () => Promise<RestartableBackend>;
  /** A backend server of the test's own whose `restart` loses its data (counters, revisions). */
  readonly forgetful?: () => Promise<RestartableBackend>;
}

const ttlMs = 1500;

function uniquePrefix(): string {
  return `qmlock-${randomBytes(4).toString('hex')}:`;
}

function aborted(signal: AbortSignal, withinMs: number): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`signal not aborted within ${withinMs} ms`)), withinMs);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

export function lockConformance(backend: LockBackendUnderTest): void {
  const { capabilities } = backend;
  const cleanups: Array<() => Promise<unknown>> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  let compiled: Promise<CompiledLockWorker> | undefined;
  const startWorker = async (args: readonly string[], options: DistributedLockOptions): Promise<OwnedProcess> => {
    if (compiled === undefined) {
      compiled = compileLockWorker();
      cleanups.push(async () => (await compiled!).remove());
    }
    const worker = (await compiled).start(args, { QM_LOCK_OPTIONS: JSON.stringify(options) });
    cleanups.push(() => worker.kill());
    return worker;
  };
  const newLock = async (prefix = uniquePrefix()) => {
    const lock = await backend.create(prefix);
    cleanups.push(() => lock.close());
    return lock;
  };

  describe(`${backend.name} lock conformance`, () => {
    it('L01 tryLock takes a free key and refuses a held one', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const handle = await a.tryLock('order:sim:BTCUSDT', ttlMs);
      expect(handle?.key).toBe(`${prefix}order:sim:BTCUSDT`);
      expect(handle?.signal.aborted).toBe(false);
      expect(await b.tryLock('order:sim:BTCUSDT', ttlMs)).toBeUndefined();
      expect(await a.tryLock('order:sim:BTCUSDT', ttlMs)).toBeUndefined();
      await handle!.unlock();
      expect(handle!.signal.aborted).toBe(true);
      const next = await b.tryLock('order:sim:BTCUSDT', ttlMs);
      expect(next).toBeDefined();
      await next!.unlock();
    });

    it('L02 keys are namespaced by the prefix', async () => {
      const a = await newLock();
      const b = await newLock();
      const first = await a.tryLock('order:sim:ETHUSDT:12', ttlMs);
      const second = await b.tryLock('order:sim:ETHUSDT:12', ttlMs);
      const otherLevel = await a.tryLock('order:sim:ETHUSDT:13', ttlMs);
      expect([first, second, otherLevel].every((handle) => handle !== undefined)).toBe(true);
      await Promise.all([first!.unlock(), second!.unlock(), otherLevel!.unlock()]);
    });

    it('L03 tokens strictly increase across holders', async () => {
      const prefix = uniquePrefix();
      const locks = [await newLock(prefix), await newLock(prefix)];
      const tokens: bigint[] = [];
      for (let i = 0; i < 6; i += 1) {
        const handle = await locks[i % 2]!.tryLock('token-key', ttlMs);
        tokens.push(handle!.token);
        await handle!.unlock();
      }
      for (let i = 1; i < tokens.length; i += 1) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
    });

    it('L04 only the holder can extend or unlock; unlock is idempotent', async () => {
      const lock = await newLock();
      const handle = (await lock.tryLock('owner-key', ttlMs))!;
      await handle.unlock();
      await handle.unlock();
      await expect(handle.extend(ttlMs)).rejects.toBeInstanceOf(LockLostError);
      const next = (await lock.tryLock('owner-key', ttlMs))!;
      expect(next.signal.aborted).toBe(false);
      await next.unlock();
    });

    if (capabilities.perLockLease) {
      it('L05 a lease that runs out aborts the signal first, then another holder takes over', async () => {
        const prefix = uniquePrefix();
        const [a, b] = [await newLock(prefix), await newLock(prefix)];
        const shortTtl = 400;
        const first = (await a.tryLock('expiry-key', shortTtl))!;
        await aborted(first.signal, shortTtl + 200);
        expect(first.signal.reason).toBeInstanceOf(LockLostError);
        const second = await b.lock('expiry-key', shortTtl, { timeoutMs: 5000 });
        expect(second.token > first.token).toBe(true);
        await expect(first.extend(shortTtl)).rejects.toBeInstanceOf(LockLostError);
        await expect(first.unlock()).rejects.toBeInstanceOf(LockLostError);
        expect(second.signal.aborted).toBe(false);
        await second.unlock();
      });
    }

    it('L16 a raised token floor puts every later token above it and leaves a live holder alone', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const held = (await a.tryLock('floor-key', ttlMs))!;
      const floor = held.token + 1000n;
      await b.raiseTokenFloor('floor-key', floor);
      expect(held.signal.aborted).toBe(false);
      await held.extend(ttlMs);
      await held.unlock();
      const next = (await b.tryLock('floor-key', ttlMs))!;
      expect(next.token > floor).toBe(true);
      await next.unlock();
      // A lower floor changes nothing: tokens keep rising from where they are.
      await a.raiseTokenFloor('floor-key', 1n);
      const after = (await a.tryLock('floor-key', ttlMs))!;
      expect(after.token > next.token).toBe(true);
      await after.unlock();
      // A key nobody took yet.
      await a.raiseTokenFloor('fresh-floor-key', 1_000_000n);
      const fresh = (await b.tryLock('fresh-floor-key', ttlMs))!;
      expect(fresh.token > 1_000_000n).toBe(true);
      await fresh.unlock();
    });

    it('L06 extend keeps the lock past its first TTL', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const handle = (await a.tryLock('extend-key', 600))!;
      const waiter = b.lock('extend-key', 600, { timeoutMs: 5000 });
      let waiterDone = false;
      void waiter.then(
        () => {
          waiterDone = true;
        },
        () => {
          waiterDone = true;
        },
      );
      for (let i = 0; i < 4; i += 1) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        await handle.extend(600);
        expect(handle.signal.aborted).toBe(false);
        expect(waiterDone).toBe(false);
      }
      await handle.unlock();
      const next = await waiter;
      expect(next.token > handle.token).toBe(true);
      await next.unlock();
    });

    it('L07 lock waits for the release and then acquires', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const handle = (await a.tryLock('wait-key', 10_000))!;
      const waiting = b.lock('wait-key', ttlMs, { timeoutMs: 5000 });
      const released = performance.now();
      await handle.unlock();
      const next = await waiting;
      expect(performance.now() - released).toBeLessThan(2000);
      await next.unlock();
    });

    it('L08 lock ends with LockTimeoutError or the abort reason and leaves no waiter', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const handle = (await a.tryLock('timeout-key', 10_000))!;
      await expect(b.lock('timeout-key', ttlMs, { timeoutMs: 300 })).rejects.toBeInstanceOf(LockTimeoutError);
      const controller = new AbortController();
      const reason = new Error('shutting down');
      const waiting = b.lock('timeout-key', ttlMs, { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 100);
      await expect(waiting).rejects.toBe(reason);
      await handle.unlock();
      const next = (await b.tryLock('timeout-key', ttlMs))!;
      expect(next).toBeDefined();
      await next.unlock();
    });

    it('L09 withLock renews the lease while the work runs longer than the TTL', async () => {
      const prefix = uniquePrefix();
      const [a, b] = [await newLock(prefix), await newLock(prefix)];
      const renewTtl = 600;
      const result = await withLock(a, 'renew-key', renewTtl, async (signal) => {
        for (let i = 0; i < 6; i += 1) {
          await new Promise((resolve) => setTimeout(resolve, 300));
          expect(signal.aborted).toBe(false);
          expect(await b.tryLock('renew-key', renewTtl)).toBeUndefined();
        }
        return 'done';
      });
      expect(result).toBe('done');
      const next = (await b.tryLock('renew-key', renewTtl))!;
      expect(next).toBeDefined();
      await next.unlock();
    });

    if (capabilities.crossProcess && backend.workerOptions !== undefined) {
      const workerOptions = backend.workerOptions;
      it('L10 mutual exclusion: 1,000 acquisitions by 20 processes, no overlap', async () => {
        const dir = await mkdtemp(join(tmpdir(), 'qm-lock-excl-'));
        cleanups.push(() => rm(dir, { recursive: true, force: true }));
        await writeFile(join(dir, 'counter'), JSON.stringify({ count: 0, lastToken: '0' }));
        const options = workerOptions(uniquePrefix(), 'contend');
        const workers = await Promise.all(
          Array.from({ length: 20 }, () => startWorker(['contend', dir, 'order:sim:BTCUSDT', '50'], options)),
        );
        await Promise.all(workers.map((worker) => worker.waitForLine(/^READY/, 60_000)));
        await writeFile(join(dir, 'go'), '');
        const results = await Promise.all(
          workers.map(
            async (worker) =>
              JSON.parse((await worker.waitForLine(/^RESULT /, 280_000)).slice(7)) as Record<string, number>,
          ),
        );
        await Promise.all(workers.map((worker) => worker.exited));
        const total = (field: string) => results.reduce((sum, result) => sum + result[field]!, 0);
        expect(total('acquired')).toBe(1000);
        expect(total('overlaps')).toBe(0);
        expect(total('tokenRegressions')).toBe(0);
        expect(total('abortedOnArrival')).toBe(0);
        expect(JSON.parse(await readFile(join(dir, 'counter'), 'utf8')).count).toBe(1000);
      }, 300_000);

      it('L11 a holder paused past its lease loses the lock before it can act again', async () => {
        const prefix = uniquePrefix();
        const lock = await newLock(prefix);
        const holder = await startWorker(['hold', 'pause-key', String(ttlMs)], workerOptions(prefix, 'pause'));
        const held = BigInt((await holder.waitForLine(/^HELD /, 30_000)).slice(5));
        await holder.waitForLine(/^ACT/);
        holder.signal('SIGSTOP');
        const takeover = await lock.lock('pause-key', ttlMs, { timeoutMs: capabilities.leaseMs(ttlMs) + 10_000 });
        expect(takeover.token > held).toBe(true);
        const before = holder.output().length;
        holder.signal('SIGCONT');
        await holder.waitForLine(/^UNLOCK /, 15_000);
        const after = holder.output().slice(before);
        expect(after).not.toMatch(/ACT/);
        expect(after).toMatch(/EXTEND QM_LOCK_LOST/);
        expect(after).toMatch(/UNLOCK QM_LOCK_LOST/);
        expect(takeover.signal.aborted).toBe(false);
        await takeover.unlock();
      }, 60_000);
    } else {
      it('L10 mutual exclusion: 1,000 acquisitions by 20 concurrent contenders, no overlap', async () => {
        const lock = await newLock();
        let inside = 0;
        let overlaps = 0;
        let lastToken = 0n;
        let regressions = 0;
        await Promise.all(
          Array.from({ length: 20 }, async () => {
            for (let i = 0; i < 50; i += 1) {
              const handle = await lock.lock('order:sim:BTCUSDT', 5000, { timeoutMs: 30_000 });
              inside += 1;
              if (inside > 1) overlaps += 1;
              if (handle.token <= lastToken) regressions += 1;
              lastToken = handle.token;
              await Promise.resolve();
              inside -= 1;
              await handle.unlock();
            }
          }),
        );
        expect(overlaps).toBe(0);
        expect(regressions).toBe(0);
        expect(lastToken).toBe(1000n);
      });
    }

    for (const [faultName, createFault] of Object.entries(backend.faults ?? {})) {
      it(`L12 ${faultName}: holders are signalled and never two are live at once`, async () => {
        const fault = await createFault();
        cleanups.push(() => fault.close());
        let holding: Promise<void> = Promise.resolve();
        const holderHandle = await new Promise<LockHandle>((resolve, reject) => {
          holding = withLock(fault.holder, 'fault-key', ttlMs, async (signal, handle) => {
            resolve(handle);
            await aborted(signal, capabilities.leaseMs(ttlMs) + 30_000);
          });
          holding.catch(reject);
        });
        await fault.break();
        await expect(fault.holder.ping()).rejects.toBeInstanceOf(LockBackendUnavailableError);
        // The observer keeps trying (it may be cut off too) and checks the holder the moment it wins.
        let holderLiveWhenObserverWon: boolean | undefined;
        const observing = (async () => {
          for (;;) {
            const handle = await fault.observer.lock('fault-key', ttlMs, { timeoutMs: 2000 }).catch(() => undefined);
            if (handle !== undefined) {
              holderLiveWhenObserverWon = !holderHandle.signal.aborted;
              await handle.unlock();
              return;
            }
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })();
        await aborted(holderHandle.signal, capabilities.leaseMs(ttlMs) + 30_000);
        await fault.heal();
        await observing;
        expect(holderLiveWhenObserverWon).toBe(false);
        await holding;
        const again = await fault.holder.lock('after-fault-key', ttlMs, { timeoutMs: 30_000 });
        await again.unlock();
      }, 90_000);
    }

    for (const [faultName, createFault] of Object.entries(backend.faults ?? {})) {
      it(`L15 ${faultName}: an unlock the backend did not confirm frees the key within the lease`, async () => {
        const fault = await createFault();
        cleanups.push(() => fault.close());
        const handle = (await fault.holder.tryLock('unconfirmed-key', ttlMs))!;
        await fault.break();
        // Unavailable, or already known lost (a closed connection ends every handle at once).
        const failure = await handle.unlock().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure instanceof LockBackendUnavailableError || failure instanceof LockLostError).toBe(true);
        expect(handle.signal.aborted).toBe(true);
        await fault.heal();
        // Neither the holder's process (which may still be connected) nor anyone else may find the key stuck.
        const taken = await fault.observer.lock('unconfirmed-key', ttlMs, {
          timeoutMs: capabilities.leaseMs(ttlMs) + 15_000,
        });
        expect(taken.signal.aborted).toBe(false);
        await taken.unlock();
        const again = await fault.holder.lock('unconfirmed-key', ttlMs, { timeoutMs: 15_000 });
        await again.unlock();
      }, 90_000);
    }

    if (backend.unreachable !== undefined) {
      const unreachable = backend.unreachable;
      it('L13 ping reports an unreachable backend with the cause', async () => {
        const lock = await unreachable();
        cleanups.push(() => lock.close());
        const failure = await lock.ping().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure).toBeInstanceOf(LockBackendUnavailableError);
        expect((failure as Error).cause).toBeDefined();
        await expect(lock.tryLock('any', ttlMs)).rejects.toBeInstanceOf(LockBackendUnavailableError);
      }, 30_000);
    }

    if (backend.forgetful !== undefined) {
      const forgetful = backend.forgetful;
      it('L17 after the backend forgot its counters, tokens resume above the recorded one once the floor is raised', async () => {
        const server = await forgetful();
        cleanups.push(() => server.close());
        const lock = await server.create();
        cleanups.push(() => lock.close());
        let recorded = 0n;
        for (let i = 0; i < 20; i += 1) {
          const handle = (await lock.tryLock('continuity-key', ttlMs))!;
          recorded = handle.token;
          await handle.unlock();
        }
        await server.restart();
        const forgotten = await lock.lock('continuity-key', ttlMs, { timeoutMs: 20_000 });
        expect(forgotten.token < recorded).toBe(true);
        await forgotten.unlock();
        // What the fenced intents answer with (StaleFencingTokenError.highest) lifts the counter.
        await lock.raiseTokenFloor('continuity-key', recorded);
        const resumed = (await lock.tryLock('continuity-key', ttlMs))!;
        expect(resumed.token > recorded).toBe(true);
        await resumed.unlock();
      }, 60_000);
    }

    if (backend.restartable !== undefined) {
      const restartable = backend.restartable;
      it('L14 tokens keep increasing across a restart of the backend', async () => {
        const server = await restartable();
        cleanups.push(() => server.close());
        const before = await server.create();
        const first = (await before.tryLock('restart-key', ttlMs))!;
        await first.unlock();
        await before.close();
        await server.restart();
        const after = await server.create();
        const second = await after.lock('restart-key', ttlMs, { timeoutMs: 20_000 });
        expect(second.token > first.token).toBe(true);
        await second.unlock();
        await after.close();
      }, 60_000);
    }
  });
}
