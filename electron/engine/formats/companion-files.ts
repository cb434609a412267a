// The other files of a slide made of several (MIRAX's Data*.dat, a VMS's JPEGs): each checked to be
// there when the slide opens - a missing one is NOT_FOUND naming it - then opened on first read and
// kept open, at most MAX_OPEN at once (a slide can list thousands; a lane holds every open slide).

import { type Stats, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SlideError } from '../errors';
import { blockingCall } from '../pool-reads';
import { SlideFile } from '../slide-file';

const MAX_OPEN = 32;

/**
 * Whether a name one of a slide's files gives another (a VMS key file's ImageFile, MIRAX's data
 * files) is a file name in the same folder: not empty, '.', '..', a path, or holding a NUL.
 */
export function isNameInFolder(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** A name as a message quotes it: control characters escaped, at most 200 characters. */
export function quotedName(name: string): string {
  return JSON.stringify(name.slice(0, 200));
}

export interface CompanionFile {
  path: string;
  /** What the slide calls it, for messages ("data file", "image file"). */
  role: string;
}

interface OpenEntry {
  file: SlideFile;
  reads: number;
}

export class CompanionFiles {
  private readonly open = new Map<number, OpenEntry>();
  private closed = false;

  private constructor(
    private readonly files: readonly CompanionFile[],
    /** Each file's size when the slide opened. */
    readonly sizes: readonly number[],
  ) {}

  /** Checks every file is a regular file; `slidePath` is the file the user opened, which errors name. */
  static check(slidePath: string, files: readonly CompanionFile[], format: string): CompanionFiles {
    const sizes: number[] = [];
    for (const { path, role } of files) {
      // In the lane's thread, as SlideFile opens: a trip to the thread pool per file costs more.
      let info: Stats | NodeJS.ErrnoException;
      try {
        info = blockingCall(() => statSync(path));
      } catch (error) {
        info = error as NodeJS.ErrnoException;
      }
      if (info instanceof Error || !info.isFile()) {
        const why =
          info instanceof Error && info.code !== 'ENOENT' ? `cannot be read (${info.code ?? 'error'})` : info instanceof Error ? 'is missing' : 'is not a file';
        throw new SlideError('NOT_FOUND', `The ${format} slide's ${role} ${quotedName(basename(path))} ${why} (in ${dirname(path)}).`, slidePath);
      }
      sizes.push(info.size);
    }
    return new CompanionFiles(files, sizes);
  }

  get count(): number {
    return this.files.length;
  }

  path(index: number): string {
    return this.files[index]!.path;
  }

  /** Exactly [offset, offset + length) of file `index`; past its end is CORRUPT_DATA naming it. */
  async read(index: number, offset: number, length: number, what: string): Promise<Uint8Array> {
    if (this.closed) throw new SlideError('NOT_OPEN', 'The slide was closed.', this.files[0]?.path);
    const size = this.sizes[index];
    if (size === undefined) throw new SlideError('CORRUPT_DATA', `${what} is in file ${index}, which the slide does not list.`);
    if (offset < 0 || length < 0 || offset + length > size) {
      throw new SlideError(
        'CORRUPT_DATA',
        `${what} lies beyond the end of ${basename(this.path(index))} (bytes ${offset} to ${offset + length} of ${size}).`,
        this.path(index),
      );
    }
    // A file that fails to open is tried again on the next read.
    const entry = this.open.get(index) ?? { file: SlideFile.open(this.path(index)), reads: 0 };
    this.open.delete(index); // most recently used last
    this.open.set(index, entry);
    entry.reads++;
    try {
      return await entry.file.read(offset, length, what);
    } finally {
      entry.reads--;
      this.trim();
    }
  }

  /** Closes the least recently used files no read is using, down to MAX_OPEN. */
  private trim(): void {
    for (const [index, entry] of this.open) {
      if (this.open.size <= MAX_OPEN) break;
      if (entry.reads > 0) continue;
      this.open.delete(index);
      entry.file.close();
    }
  }

  close(): void {
    this.closed = true;
    for (const entry of this.open.values()) entry.file.close();
    this.open.clear();
  }
}
