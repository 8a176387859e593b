/**
 * A lock contender in its own process, for the conformance suite (test/conformance/lock.suite.ts).
 * Options arrive as JSON in QM_LOCK_OPTIONS (what createDistributedLock takes).
 *
 * `contend <dir> <key> <ops>`: prints READY, waits for `<dir>/go`, then `ops` times: lock, create
 * `<dir>/busy` with O_EXCL (an existing file means another holder overlaps: counted), bump the
 * shared counter file (a lost update shows as a short count) and check the token grows, unlock.
 * Prints `RESULT {json}`.
 *
 * `hold <key> <ttlMs>`: takes the lock, prints `HELD <token>`, then every 20 ms "acts" (prints ACT)
 * while its signal is live; once aborted it prints ABORTED, tries extend and unlock, prints their
 * error codes and exits. The suite pauses it with SIGSTOP past its lease.
 */
import { closeSync, existsSync, openSync, readFileSync, unlinkSync, watch, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createDistributedLock,
  type DistributedLockOptions,
} from '../../../src/coordination/lock/create-distributed-lock.js';
import type { LockHandle } from '../../../src/coordination/lock/distributed-lock.js';
import { QuantMeshError } from '../../../src/errors/quantmesh-error.js';
import { LockLostError } from '../../../src/coordination/lock/errors.js';

const options = JSON.parse(process.env.QM_LOCK_OPTIONS ?? '{}') as DistributedLockOptions;
const lock = await createDistributedLock(options);
const [mode, ...args] = process.argv.slice(2);

function codeOf(error: unknown): string {
  return error instanceof QuantMeshError ? error.code : String(error);
}

async function waitForFile(path: string): Promise<void> {
  const dir = join(path, '..');
  await new Promise<void>((resolve) => {
    const watcher = watch(dir, () => {
      if (existsSync(path)) {
        watcher.close();
        resolve();
      }
    });
    if (existsSync(path)) {
      watcher.close();
      resolve();
    }
  });
}

async function contend(dir: string, key: string, ops: number): Promise<void> {
  const busy = join(dir, 'busy');
  const counter = join(dir, 'counter');
  const result = { acquired: 0, overlaps: 0, tokenRegressions: 0, abortedOnArrival: 0, lostBeforeUnlock: 0 };
  console.log('READY');
  await waitForFile(join(dir, 'go'));
  for (let i = 0; i < ops; i += 1) {
    const handle = await lock.lock(key, 5000, { timeoutMs: 60_000 });
    result.acquired += 1;
    if (handle.signal.aborted) result.abortedOnArrival += 1;
    let marker: number | undefined;
    try {
      marker = openSync(busy, 'wx');
    } catch {
      result.overlaps += 1;
    }
    const state = JSON.parse(readFileSync(counter, 'utf8')) as { count: number; lastToken: string };
    if (handle.token <= BigInt(state.lastToken)) result.tokenRegressions += 1;
    writeFileSync(counter, JSON.stringify({ count: state.count + 1, lastToken: handle.token.toString() }));
    if (marker !== undefined) {
      closeSync(marker);
      unlinkSync(busy);
    }
    // On a starved machine a session keepalive can miss its deadline: the holder is told (fail
    // safe) and the overlap check above still decides whether exclusion held.
    await handle.unlock().catch((error: unknown) => {
      if (!(error instanceof LockLostError)) throw error;
      result.lostBeforeUnlock += 1;
    });
  }
  console.log(`RESULT ${JSON.stringify(result)}`);
}

async function hold(key: string, ttlMs: number): Promise<void> {
  const handle: LockHandle = await lock.lock(key, ttlMs, { timeoutMs: 30_000 });
  console.log(`HELD ${handle.token}`);
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!handle.signal.aborted) {
        console.log('ACT');
        return;
      }
      clearInterval(timer);
      resolve();
    }, 20);
  });
  console.log('ABORTED');
  const extend = await handle.extend(ttlMs).then(() => 'ok', codeOf);
  console.log(`EXTEND ${extend}`);
  const unlock = await handle.unlock().then(() => 'ok', codeOf);
  console.log(`UNLOCK ${unlock}`);
}

if (mode === 'contend') await contend(args[0]!, args[1]!, Number(args[2]));
else if (mode === 'hold') await hold(args[0]!, Number(args[1]));
else throw new Error(`unknown mode ${mode}`);
await lock.close();
process.exit(0);
