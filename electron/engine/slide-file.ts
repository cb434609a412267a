// One open slide file: the path checked to be a regular file before it is opened, its size, cached
// reads of its structure (StructureSource) and exact reads of its data. Every format reads through
// this, whatever container it is.
//
// Opening, the structure's reads and tile data run in the lane's own thread: each is a few
// microseconds from the page cache or a local disk, where a trip to libuv's thread pool costs tens
// (docs/performance.md, Opening and "Tile data read in the lane's thread"). A file whose reads take
// longer (a network share, a spinning disk) has its data read through the pool from then on, a
// screen's tiles at once, as are reads over 1 MB (associated images, index files).

import { close, closeSync, constants, fstat, fstatSync, open, openSync, read, readlinkSync, type Stats, stat, statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { readError, SlideError } from './errors';
import { blockingCall, POOL_READ_PIECE_BYTES, poolCall } from './pool-reads';
import { readFullySync, StructureSource } from './tiff/structure-source';

const readAsync = promisify(read);
const statAsync = promisify(stat);
const openAsync = promisify(open);
const fstatAsync = promisify(fstat);
const closeAsync = promisify(close);

/** A tile read in the lane's thread slower than this counts as slow (see SLOW_READS). */
const SLOW_READ_MS = 2;
/**
 * A file's later reads go to the pool once this many of its last 8 reads in the thread were slow: one
 * alone is as often the thread losing its core for a few ms as the file being slow, and sent the rest
 * of a fast file's tiles through the pool (5 of 6 fresh engines in 2000 benchmark tiles).
 */
const SLOW_READS = 2;
/** Larger reads always go through the pool. */
const IN_THREAD_READ_BYTES = 1024 * 1024;
/**
 * Reads in the thread give the thread's event loop a turn at least this often: a region of a
 * thousand tiles read and decoded without one would hold back cancellations and other requests.
 */
const TURN_EVERY_MS = 5;
let lastTurn = 0;

export class SlideFile {
  /** Cached reads for headers, directories and tag values (geotiff reads through it too). */
  readonly source: StructureSource;
  private closed = false;
  /**
   * Reads in the thread pool now. The descriptor is closed after the last of them, as FileHandle's
   * close waits for its reads: a number closed early can be another file's by the time a read runs.
   */
  private reading = 0;
  /** Whether tile data is still read in this thread (see SLOW_READS). */
  private readsInThread = true;
  /** The last 8 reads in the thread, a bit each, set where the read was slow. */
  private recentSlowReads = 0;
  /** Opened by openInPool: closed there too (closing can wait on a network file system). */
  private inPool = false;

  /**
   * The file as it was opened (device, inode, size, modification time): another reader that opens the
   * path later can tell whether it has the same file.
   */
  readonly identity: string;
  readonly size: number;

  private constructor(
    readonly path: string,
    private readonly fd: number,
    stats: Stats,
    structureBlockBytes: number | undefined,
    private readonly slowReadMs: number,
  ) {
    this.size = stats.size;
    this.identity = `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeMs}`;
    this.source = new StructureSource(fd, stats.size, structureBlockBytes);
  }

  /**
   * Opens a regular file only. The path is looked at first (stat, following links), and anything
   * else - a folder, a FIFO, a device, a socket - is refused without being opened: opening a FIFO
   * blocks until something writes to it, and a device may never end. The open itself does not block
   * either (O_NONBLOCK, which regular files ignore), should the path change in between; the
   * descriptor is then checked again.
   */
  static open(path: string, options: { structureBlockBytes?: number; slowReadMs?: number } = {}): SlideFile {
    let fd: number;
    try {
      checkKind(
        blockingCall(() => statSync(path)),
        path,
      );
      fd = blockingCall(() => openSync(path, OPEN_FLAGS));
    } catch (error) {
      throw openError(error, path);
    }
    try {
      const stats = blockingCall(() => fstatSync(fd));
      checkKind(stats, path);
      return new SlideFile(path, fd, stats, options.structureBlockBytes, options.slowReadMs ?? SLOW_READ_MS);
    } catch (error) {
      blockingCall(() => closeSync(fd));
      throw readError(error, path);
    }
  }

  /**
   * The same, every call through libuv's pool, and tile data read there too: for a thread that must
   * never wait on a slow file (the engine process's router).
   */
  static async openInPool(path: string): Promise<SlideFile> {
    let fd: number;
    try {
      checkKind(await poolCall(statAsync(path)), path);
      fd = await poolCall(openAsync(path, OPEN_FLAGS));
    } catch (error) {
      throw openError(error, path);
    }
    try {
      const stats = await poolCall(fstatAsync(fd));
      checkKind(stats, path);
      const file = new SlideFile(path, fd, stats, undefined, SLOW_READ_MS);
      file.readsInThread = false;
      file.inPool = true;
      return file;
    } catch (error) {
      void poolCall(closeAsync(fd)).catch(() => undefined);
      throw readError(error, path);
    }
  }

  /**
   * Exactly [offset, offset + length) of the file, read past the structure cache (tile data is
   * read once): in this thread while the file answers within SLOW_READ_MS, else (SLOW_READS) through
   * the pool. A file that hangs holds the thread on its first read as its opening's reads already would
   * (each watched: pool-reads.ts ends the process past STUCK_READ_MS).
   * Data the file does not hold is CORRUPT_DATA naming `what`, before anything is allocated for it.
   */
  async read(offset: number, length: number, what = 'Image data'): Promise<Uint8Array> {
    this.checkRange(offset, length, what);
    this.assertOpen();
    if (this.readsInThread && length <= IN_THREAD_READ_BYTES) {
      if (performance.now() - lastTurn > TURN_EVERY_MS) {
        await nextTurn();
        lastTurn = performance.now();
        this.assertOpen();
      }
      const start = performance.now();
      const bytes = this.readHere(offset, length, what);
      this.recentSlowReads = ((this.recentSlowReads << 1) | (performance.now() - start > this.slowReadMs ? 1 : 0)) & 0xff;
      if (bitCount(this.recentSlowReads) >= SLOW_READS) this.readsInThread = false;
      return bytes;
    }
    const buffer = Buffer.allocUnsafe(length);
    this.reading++;
    let done = 0;
    try {
      // In pieces, each watched (pool-reads.ts): a large read on a slow share still answers every few seconds.
      while (done < length) {
        const piece = Math.min(POOL_READ_PIECE_BYTES, length - done);
        const { bytesRead } = await poolCall(readAsync(this.fd, buffer, done, piece, offset + done));
        if (bytesRead === 0) break;
        done += bytesRead;
      }
    } catch (error) {
      throw readError(error, this.path);
    } finally {
      if (--this.reading === 0 && this.closed) this.closeDescriptor();
    }
    this.checkRead(done, length, what);
    return buffer;
  }

  /**
   * Several small ranges of one tile, read in this thread: NDPI keeps a tile's rows of restart
   * intervals apart in the file, dozens of reads of a few KB, and a trip to libuv's thread pool each
   * costs more than the read (see docs/performance.md). The same checks as read().
   */
  readRangesSync(ranges: ReadonlyArray<{ offset: number; length: number }>, what = 'Image data'): Uint8Array[] {
    this.assertOpen();
    return ranges.map(({ offset, length }) => this.readHere(offset, length, what));
  }

  /** One range read in this thread, with read()'s checks. */
  private readHere(offset: number, length: number, what: string): Uint8Array {
    this.checkRange(offset, length, what);
    const buffer = Buffer.allocUnsafe(length);
    let done: number;
    try {
      done = readFullySync(this.fd, buffer, offset);
    } catch (error) {
      throw readError(error, this.path);
    }
    this.checkRead(done, length, what);
    return buffer;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
    if (this.reading === 0) this.closeDescriptor();
  }

  private closeDescriptor(): void {
    if (this.inPool) void poolCall(closeAsync(this.fd)).catch(() => undefined);
    else blockingCall(() => closeSync(this.fd));
  }

  /** Whether tile data is read in this thread (false once reads were slow: SLOW_READS). */
  get readsDataInThread(): boolean {
    return this.readsInThread;
  }

  /** Data the file does not hold is CORRUPT_DATA, before anything is allocated for it. */
  private checkRange(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new SlideError('CORRUPT_DATA', `${what} lies beyond the end of the file: the file is truncated.`, this.path);
    }
  }

  /** A read that came back short: the file shrank since it was opened. */
  private checkRead(done: number, length: number, what: string): void {
    if (done !== length) throw new SlideError('CORRUPT_DATA', `The file ended while reading ${what.toLowerCase()}: it is truncated.`, this.path);
  }

  private assertOpen(): void {
    if (this.closed) throw new SlideError('NOT_OPEN', 'The slide was closed.', this.path);
  }
}

function bitCount(bits: number): number {
  let count = 0;
  for (let rest = bits; rest !== 0; rest &= rest - 1) count++;
  return count;
}

/** Read only; never blocking on a FIFO or device should the path change between the stat and the open. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

function checkKind(stats: Stats, path: string): void {
  const kind = fileKind(stats);
  if (kind) throw new SlideError('NOT_A_SLIDE', `This is ${kind}, not a slide file.`, path);
}

function openError(error: unknown, path: string): SlideError {
  if (error instanceof SlideError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EISDIR') return new SlideError('NOT_A_SLIDE', 'This is a folder, not a slide file.', path);
  if (code === 'ENOENT') return new SlideError('NOT_FOUND', danglingLink(path) ?? 'The file does not exist.', path);
  if (code === 'ELOOP') return new SlideError('NOT_FOUND', 'This symbolic link leads round in a loop (ELOOP).', path);
  return new SlideError('NOT_FOUND', `The file cannot be read (${code ?? 'error'}).`, path);
}

/** Where a symbolic link whose target is gone pointed (a slide moved on a share), or null when `path` is no link. */
function danglingLink(path: string): string | null {
  try {
    return `This is a symbolic link to ${readlinkSync(path)}, which does not exist.`;
  } catch {
    return null;
  }
}

/** What a path is when it is not a regular file ("a folder"), or null when it is one. */
function fileKind(stats: Stats): string | null {
  if (stats.isFile()) return null;
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}
