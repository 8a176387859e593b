/** NoopLock is not exclusive by design (one instance): it always acquires, yet its tokens still rise. */
import { describe, expect, it } from 'vitest';
import { NoopLock } from '../../../src/coordination/lock/noop/noop-lock.js';
import { LockLostError } from '../../../src/coordination/lock/errors.js';

describe('noop lock', () => {
  it('acquires a held key again, with a larger token each time', async () => {
    const lock = new NoopLock({ prefix: 'qm:' });
    const first = (await lock.tryLock('order:sim:BTCUSDT', 1000))!;
    const second = await lock.lock('order:sim:BTCUSDT', 1000);
    expect(first.key).toBe('qm:order:sim:BTCUSDT');
    expect(second.token > first.token).toBe(true);
    await Promise.all([first.unlock(), second.unlock()]);
  });

  it('tokens of a restarted process stay above the previous process, from the wall clock', async () => {
    const before = new NoopLock();
    const tokens: bigint[] = [];
    for (let i = 0; i < 500; i += 1) tokens.push((await before.tryLock('k', 1000))!.token);
    for (let i = 1; i < tokens.length; i += 1) expect(tokens[i]! > tokens[i - 1]!).toBe(true);
    // A restart takes longer than a millisecond; 500 tokens stay under the 1,000-per-ms budget.
    await new Promise((resolve) => setTimeout(resolve, 2));
    const restarted = new NoopLock();
    expect((await restarted.tryLock('k', 1000))!.token > tokens.at(-1)!).toBe(true);
  });

  it('a raised token floor puts the next token above it and never lowers the sequence', async () => {
    const lock = new NoopLock();
    const before = await lock.lock('a', 1000);
    const floor = before.token + 10_000_000_000n;
    await lock.raiseTokenFloor('a', floor);
    expect((await lock.lock('b', 1000)).token > floor).toBe(true);
    const last = await lock.lock('a', 1000);
    await lock.raiseTokenFloor('a', 1n);
    expect((await lock.lock('a', 1000)).token > last.token).toBe(true);
  });

  it('its signal aborts only on unlock, never on time', async () => {
    const lock = new NoopLock();
    const handle = (await lock.tryLock('k', 20))!;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(handle.signal.aborted).toBe(false);
    await handle.extend(20);
    await handle.unlock();
    expect(handle.signal.aborted).toBe(true);
    await handle.unlock();
    await expect(handle.extend(20)).rejects.toBeInstanceOf(LockLostError);
  });
});
