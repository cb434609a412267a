// Polls until `check` gives a value (not undefined), for tests that wait on another process.

export function waitFor<T>(what: string, check: () => T | undefined, timeoutMs = 90_000): Promise<T> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const found = check();
      if (found !== undefined) return resolve(found);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 20);
    };
    poll();
  });
}
