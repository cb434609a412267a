// Bounds on how much work runs at once: a region reads its tiles a few at a time rather than all
// together (a huge region would otherwise start thousands of reads and hold their buffers), and a
// lane decodes at most so many stored tiles at once, whatever the requests.

export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/**
 * Runs `work` over `items`, at most `limit` at once. The first failure stops the rest from starting,
 * and is thrown once the items already started have ended: nothing of this call still runs when it
 * returns (a region's tiles write into a buffer its caller may lend to another request next).
 */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
}
