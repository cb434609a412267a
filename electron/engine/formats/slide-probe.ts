// What a format plugin looks at to recognise a file: its first bytes, its name, the names beside it
// (multi-file formats), and - parsed once, only when the first bytes say TIFF - its TIFF directories.

import { basename, dirname } from 'node:path';
import { folderNames } from '../folder-listing';
import type { SlideFile } from '../slide-file';
import { TiffFile } from '../tiff/tiff-file';

/** Enough for every signature a plugin checks (DICOM's is at 128, TIFF's at 0). */
const HEAD_BYTES = 4096;
/** A folder with more entries than this is not searched for a slide's companion files. */
const MAX_SIBLINGS = 100_000;

export class SlideProbe {
  readonly name: string;
  private siblingNames: Promise<readonly string[]> | undefined;
  private parsed: Promise<TiffFile | null> | undefined;

  private constructor(
    readonly file: SlideFile,
    /** The first bytes of the file (fewer when the file is shorter). */
    readonly head: Uint8Array,
  ) {
    this.name = basename(file.path);
  }

  static async of(file: SlideFile): Promise<SlideProbe> {
    const head = (await file.source.readChunk(0, HEAD_BYTES)).slice();
    return new SlideProbe(file, head);
  }

  get path(): string {
    return this.file.path;
  }

  /** The first bytes of a TIFF header as far as the file goes, where it ends before the header's 8. */
  get startsLikeTiff(): boolean {
    const head = this.head.subarray(0, 4);
    return head.length >= 2 && ['II*\0', 'II+\0', 'MM\0*', 'MM\0+'].some((magic) => Buffer.from(magic, 'latin1').subarray(0, head.length).equals(head));
  }

  /** "II*\0", "MM\0*" or their BigTIFF forms. */
  get isTiff(): boolean {
    const [a, b, c, d] = this.head;
    if (this.head.length < 8) return false;
    if (a === 0x49 && b === 0x49) return (c === 42 || c === 43) && d === 0;
    if (a === 0x4d && b === 0x4d) return c === 0 && (d === 42 || d === 43);
    return false;
  }

  /** The file's TIFF directories, parsed on first call and shared; null when it is not a TIFF. */
  tiff(): Promise<TiffFile | null> {
    this.parsed ??= this.isTiff ? TiffFile.fromFile(this.file) : Promise.resolve(null);
    return this.parsed;
  }

  /** Names of the other entries in the file's folder (an unreadable folder has none). */
  siblings(): Promise<readonly string[]> {
    this.siblingNames ??= (async () => {
      try {
        // One more than the most kept, as the file itself is among them.
        return folderNames(dirname(this.file.path), MAX_SIBLINGS + 1)
          .filter((name) => name !== this.name)
          .slice(0, MAX_SIBLINGS);
      } catch {
        return [];
      }
    })();
    return this.siblingNames;
  }
}
