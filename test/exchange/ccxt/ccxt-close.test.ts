import { expect, it } from 'vitest';
import { startTsProcess } from '../../harness/child-process.js';

it('a process exits by itself after closing a CcxtExchange with live streams, without unhandled rejections', async () => {
  const child = startTsProcess('test/exchange/ccxt/fixtures/stream-then-close.ts');
  try {
    await child.waitForLine(/^closed$/m, 30_000);
    const exit = await Promise.race([
      child.exited,
      new Promise((resolve) => {
        setTimeout(() => resolve('still running'), 15_000).unref();
      }),
    ]);
    expect({ exit, output: child.output() }).toEqual({ exit: 0, output: 'closed\n' });
  } finally {
    await child.kill();
  }
});
