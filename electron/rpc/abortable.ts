// Waiting on shared work (a lane's open of a slide, a restart) without being held by it: each waiter
// stops at its own signal, while the work goes on for the others.

/** `promise`'s value, or null if `signal` aborts first (or `promise` rejects: the work's own caller hears why). */
export function settledOrAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve) => {
    const aborted = () => resolve(null);
    signal.addEventListener('abort', aborted, { once: true });
    const settle = (value: T | null) => {
      signal.removeEventListener('abort', aborted);
      resolve(value);
    };
    void promise.then(settle, () => settle(null));
  });
}

/** Waits for `promise` (if any) to settle, or for `signal` (if any) to abort, whichever comes first. */
export function untilSettledOrAborted(promise: Promise<unknown> | undefined, signal: AbortSignal | undefined): Promise<void> {
  if (!promise || signal?.aborted) return Promise.resolve();
  if (!signal)
    return promise.then(
      () => undefined,
      () => undefined,
    );
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    void promise.then(done, done);
  });
}
