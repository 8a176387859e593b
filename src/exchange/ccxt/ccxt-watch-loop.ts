/**
 * Runs one ccxt pro `watch*` method in a loop for a port stream. ccxt reconnects when `watch*` is
 * called again after a dropped connection; this loop makes that call, reports the drop, and calls
 * `onReconnect` once the new connection is up (or the next message arrived), so the caller can
 * reconcile through REST what it may have missed. A malformed message makes ccxt reject the pending
 * watch: it is reported through `onError` and the loop goes on; nothing is thrown out of the loop.
 */
import type { StreamHandle, StreamListeners } from '../exchange.js';

export interface WatchLoopOptions<T> {
  readonly watch: () => Promise<T>;
  readonly deliver: (value: T) => void | Promise<void>;
  readonly listeners: Pick<StreamListeners<unknown>, 'onReconnect' | 'onError'>;
  /** True once the replacement connection is open (checked by bounded polling: ccxt emits no event). */
  readonly connected: () => boolean;
  /** Whether an error means the connection was lost (versus one bad message). */
  readonly isDisconnect: (error: unknown) => boolean;
  readonly mapError: (error: unknown) => Error;
}

const RETRY_MS = [50, 100, 250, 500, 1000, 2000, 5000];
const CONNECT_POLL_MS = 25;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface WatchLoop extends StreamHandle {
  /** Settles when the first connection is up or the first attempt failed (reported via onError). */
  readonly ready: Promise<void>;
  /** Settles when the loop has ended after `close`. */
  readonly done: Promise<void>;
}

export function startWatchLoop<T>(options: WatchLoopOptions<T>): WatchLoop {
  let closed = false;
  let markReady = () => undefined as void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const done = (async () => {
    let failures = 0;
    let connecting: 'first' | 'again' | undefined = 'first';
    while (!closed) {
      const pending = options.watch();
      // The loop owns this promise until it settles, even after close (ccxt rejects it on close).
      pending.catch(() => undefined);
      try {
        if (connecting !== undefined) {
          await waitForConnection(pending, options.connected, () => closed);
          if (closed) break;
          if (connecting === 'again') options.listeners.onReconnect?.();
          connecting = undefined;
          markReady();
        }
        const value = await pending;
        if (closed) break;
        failures = 0;
        await options.deliver(value);
      } catch (error) {
        if (closed) break;
        options.listeners.onError?.(options.mapError(error));
        markReady();
        if (options.isDisconnect(error)) connecting = 'again';
        failures += 1;
        await pause(RETRY_MS[Math.min(failures - 1, RETRY_MS.length - 1)] as number);
      }
    }
    markReady();
  })();
  return {
    ready,
    done,
    close: async () => {
      closed = true;
    },
  };
}

/** Resolves when a connection is up or `pending` settled (with data: the connection is up). */
async function waitForConnection(
  pending: Promise<unknown>,
  connected: () => boolean,
  isClosed: () => boolean,
): Promise<void> {
  let settled = false;
  void pending.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  while (!settled && !connected() && !isClosed()) await pause(CONNECT_POLL_MS);
  if (settled) await pending;
}
