// The order in which a batch's jobs take their slides. Largest first, so that the small ones fill in at
// the end and no job is left alone with a large one; and each slide format (its file's extension) at
// home in one job, because V8 compiles and optimises a format's code in each engine process that
// reads it: an engine that sees fewer formats warms up less (docs/performance.md, "Slides of a
// format kept to one job"). A job with none of its own formats left takes the largest slide left of
// any format; with more jobs than formats, those without one do so from the start.

import type { SlideInput } from './inputs';

/** The format a slide's engine code depends on, as far as its name tells: its extension, or a folder's. */
export function formatGroup(input: SlideInput): string {
  if (input.folder) return '/';
  // The key, '/'-separated on every system (a Windows path's folders may hold dots).
  const name = input.key.slice(input.key.lastIndexOf('/') + 1).toLowerCase();
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot);
}

export class JobQueue {
  /** Largest first; ties in key order, so a batch's order is the same on every run. */
  private readonly order: SlideInput[];
  private readonly taken: boolean[];
  /** Per slide in `order`, the job its format is at home in. */
  private readonly homeOf: number[];
  /** Per job, the index in `order` before which none of its home slides is left. */
  private readonly homeFrom: number[];
  private anyFrom = 0;

  constructor(inputs: readonly SlideInput[], jobs: number) {
    this.order = [...inputs].sort((a, b) => b.bytes - a.bytes || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.taken = this.order.map(() => false);
    this.homeFrom = Array.from({ length: jobs }, () => 0);
    const groupOf = this.order.map(formatGroup);
    const groupBytes = new Map<string, number>();
    // A slide of unknown size (0) still counts for its format.
    groupOf.forEach((group, at) => {
      groupBytes.set(group, (groupBytes.get(group) ?? 0) + Math.max(1, this.order[at]!.bytes));
    });
    // The largest format first to the job with the least so far.
    const load = this.homeFrom.map(() => 0);
    const groups = [...groupBytes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const home = new Map<string, number>();
    for (const [group, bytes] of groups) {
      const job = load.indexOf(Math.min(...load));
      home.set(group, job);
      load[job]! += bytes;
    }
    this.homeOf = groupOf.map((group) => home.get(group)!);
  }

  /** The next slide for `job`, or null when every slide is taken. */
  take(job: number): SlideInput | null {
    let at = this.homeFrom[job] ?? 0;
    while (at < this.order.length && (this.taken[at] || this.homeOf[at] !== job)) at++;
    this.homeFrom[job] = at;
    if (at === this.order.length) {
      while (this.anyFrom < this.order.length && this.taken[this.anyFrom]) this.anyFrom++;
      at = this.anyFrom;
      if (at === this.order.length) return null;
    }
    this.taken[at] = true;
    return this.order[at]!;
  }

  /** The slides no job has taken, largest first. */
  untaken(): SlideInput[] {
    return this.order.filter((_, at) => !this.taken[at]);
  }
}
