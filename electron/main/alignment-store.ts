// The alignments of compared slides the app remembers, one per set of slides, in one JSON file in
// the user-data folder (compare-alignments.json). Keyed by the set's paths, sorted: the same slides
// compared again, in any order, come back aligned. In the app's own folder rather than a sidecar
// beside the slides: a set has no one folder of its own, and slide folders are often read-only
// shares. Each entry is the alignment file's own format (docs/compare.md); a corrupt store reads as
// empty and is replaced by the next save.

import { join } from 'node:path';
import { type AlignmentFile, formatAlignment, readAlignment } from '../../shared/compare-alignment';
import { readJsonFile, SerialQueue, writeJsonAtomic } from './json-file';

export const ALIGNMENT_STORE_NAME = 'compare-alignments.json';
/** Sets remembered: the least recently saved go first beyond this. */
export const ALIGNMENT_STORE_MAX = 500;

interface StoredAlignments {
  version: 1;
  /** Set key -> alignment (in the order of the set's paths as last compared). */
  sets: Record<string, unknown>;
}

export interface AlignmentStoreOptions {
  dir: string;
  max?: number;
  onError?: (message: string, error: unknown) => void;
}

/** The set's key: its paths sorted, one a line (a path has no line breaks we accept). */
export function alignmentSetKey(paths: readonly string[]): string {
  return [...paths].sort().join('\n');
}

export class AlignmentStore {
  readonly file: string;
  private readonly max: number;
  private readonly onError: (message: string, error: unknown) => void;
  private readonly writes = new SerialQueue();
  private sets: Map<string, unknown> | null = null;

  constructor(options: AlignmentStoreOptions) {
    this.file = join(options.dir, ALIGNMENT_STORE_NAME);
    this.max = Math.max(1, options.max ?? ALIGNMENT_STORE_MAX);
    this.onError = options.onError ?? (() => undefined);
  }

  /** The alignment remembered for these slides, or null (none, or an entry that no longer reads). */
  async load(paths: readonly string[]): Promise<AlignmentFile | null> {
    const raw = (await this.read()).get(alignmentSetKey(paths));
    if (raw === undefined) return null;
    const read = readAlignment(raw);
    if (!read.ok) this.onError(`the remembered alignment of ${paths.join(', ')} is unreadable`, read.error);
    return read.ok ? read.value : null;
  }

  save(paths: readonly string[], alignment: AlignmentFile): Promise<void> {
    return this.writes.run(async () => {
      const sets = await this.read();
      const key = alignmentSetKey(paths);
      sets.delete(key); // re-inserted last: the most recently saved
      sets.set(key, JSON.parse(formatAlignment(alignment)) as unknown);
      while (sets.size > this.max) sets.delete(sets.keys().next().value!);
      const stored: StoredAlignments = { version: 1, sets: Object.fromEntries(sets) };
      await writeJsonAtomic(this.file, stored);
    });
  }

  private async read(): Promise<Map<string, unknown>> {
    if (this.sets) return this.sets;
    const read = await readJsonFile(this.file);
    const value = read.kind === 'ok' ? (read.value as Partial<StoredAlignments> | null) : null;
    if (read.kind === 'corrupt' || (read.kind === 'ok' && (value?.version !== 1 || typeof value.sets !== 'object' || value.sets === null))) {
      this.onError(`${this.file} is unreadable; the remembered alignments start afresh`, read.kind === 'corrupt' ? read.error : value);
    }
    const sets = value?.version === 1 && value.sets && typeof value.sets === 'object' ? Object.entries(value.sets) : [];
    this.sets = new Map(sets);
    return this.sets;
  }
}
