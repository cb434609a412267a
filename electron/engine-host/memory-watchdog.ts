// The engine process's memory cap. Pixel buffers live outside V8's heap, so a heap limit alone does
// not stop a decompression bomb: the process's resident size is sampled from its main thread (which
// decodes nothing, so it keeps running while a lane allocates) and crossing the cap ends the process.

/** Often enough to stop a runaway inflate within a few hundred megabytes of the cap. */
const SAMPLE_MS = 50;

export function watchMemory(capBytes: number, onOverCap: (rssBytes: number) => void): { peakRssBytes(): number; stop(): void } {
  let peak = process.memoryUsage.rss();
  let fired = false;
  const timer = setInterval(() => {
    const rss = process.memoryUsage.rss();
    peak = Math.max(peak, rss);
    if (rss > capBytes && !fired) {
      fired = true;
      onOverCap(rss);
    }
  }, SAMPLE_MS);
  timer.unref();
  return { peakRssBytes: () => peak, stop: () => clearInterval(timer) };
}
