// Work over millions of objects (a slide's detections) cut into slices: a generator yields between them,
// and its caller runs it straight through (finish) or lets its event loop turn at each yield
// (finishTurning), as an engine lane must to answer its watchdog.

/** Work that yields between its slices and returns its result. */
export type Sliced<T> = Generator<void, T, undefined>;

/** The work's result, done at once. */
export function finish<T>(work: Sliced<T>): T {
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
  }
}

/**
 * The work's result, `turn` awaited between its slices: between each two, or, given `everyMs`, at the
 * first yield after each `everyMs` of work (work that yields often, after each of thousands of cells).
 */
export async function finishTurning<T>(work: Sliced<T>, turn: () => Promise<unknown>, everyMs = 0): Promise<T> {
  let since = performance.now();
  for (;;) {
    const step = work.next();
    if (step.done) return step.value;
    if (everyMs > 0 && performance.now() - since <= everyMs) continue;
    await turn();
    since = performance.now();
  }
}
