// The alignments of compared slides the app remembers, one per set of slides, in one JSON file in
// the user-data folder (compare-alignments.json). Keyed by the set's paths, sorted: the same slides
// compared again, in any order, come back aligned. In the app's own folder rather than a sidecar
// beside the slides: a set has no one folder of its own, and slide folders are often read-only
// shares. Each entry is the alignment file's own format (docs/compare.md); a corrupt store reads as
// empty and is replaced by the next save.

import { type AlignmentFile, formatAlignment, readAlignment } from '../../shared/compare-alignment';
import { RememberedEntries } from './remembered-entries';

export const ALIGNMENT_STORE_NAME = 'compare-alignments.json';
/** Sets remembered: the least recently saved go first beyond this. */
export const ALIGNMENT_STORE_MAX = 500;

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
  private readonly entries: RememberedEntries<AlignmentFile>;

  constructor(options: AlignmentStoreOptions) {
    this.entries = new RememberedEntries({
      dir: options.dir,
      name: ALIGNMENT_STORE_NAME,
      max: options.max ?? ALIGNMENT_STORE_MAX,
      read: (raw) => {
        const read = readAlignment(raw);
        return read.ok ? read.value : new Error(read.error.message);
      },
      write: (alignment) => JSON.parse(formatAlignment(alignment)) as unknown,
      what: 'the remembered alignments',
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  get file(): string {
    return this.entries.file;
  }

  /** The alignment remembered for these slides, or null (none, or an entry that no longer reads). */
  load(paths: readonly string[]): Promise<AlignmentFile | null> {
    return this.entries.load(alignmentSetKey(paths));
  }

  save(paths: readonly string[], alignment: AlignmentFile): Promise<void> {
    return this.entries.save(alignmentSetKey(paths), alignment);
  }
}
