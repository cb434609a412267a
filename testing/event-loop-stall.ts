// How long the calling thread's event loop stood still at most while `run` went on, for tests of work
// that must leave it turning (an engine lane answers its watchdog from it).

export async function longestStall<T>(run: () => Promise<T>): Promise<{ value: T; longestMs: number; tookMs: number }> {
  let last = performance.now();
  let longestMs = 0;
  const ticks = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - last);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const value = await run();
    const tookMs = performance.now() - started;
    // A loop that stood still is seen by the first tick after it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { value, longestMs, tookMs };
  } finally {
    clearInterval(ticks);
  }
}
