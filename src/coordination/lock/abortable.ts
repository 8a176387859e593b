/** Ending a wait on a promise that cannot itself be cancelled (a driver call, a watch being created). */

/** A promise that rejects with the signal's reason once it aborts (never settles otherwise). */
export function rejectOnAbort(signal: AbortSignal): Promise<never> {
  const rejection = new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  rejection.catch(() => undefined);
  return rejection;
}

/** `promise`, or the signal's reason if it aborts first. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return signal === undefined ? promise : Promise.race([promise, rejectOnAbort(signal)]);
}
