// Stored JPEG tiles read by the engine process's main thread. A deep-zoom tile that is a stored tile
// as it is (its tables spliced in) needs no decoding: read here, it is spared two thread hops and a
// lane's queue, where it would wait behind tiles being decoded (docs/performance.md, "Stored tiles
// read by the router"). A lane says where a level's tiles lie (engine:stored-tiles); a tile that is
// absent, damaged or anything but in order is left to the lanes, which answer it and say what is wrong.
// Everything that touches the file goes through libuv's pool: a slow or hung file must not hold the
// thread that routes every window's requests.

import { dzTileRect, storedJpegTile } from '../../shared/deepzoom';
import type { DeepZoomGeometry, EncodedTile, StoredJpegTiles } from '../../shared/slide';
import { withIccMarkers } from '../engine/colour/icc-jpeg';
import { SlideFile } from '../engine/slide-file';
import { storedJpeg } from '../engine/stored-jpeg';

/** A level's tiles: where they lie and their files open here, not read here (null), or asked for and not yet known. */
type LevelTiles = { tiles: StoredJpegTiles; files: SlideFile[] } | null | 'asked';

interface SlideTiles {
  geometry: DeepZoomGeometry;
  levels: Map<number, LevelTiles>;
  /** The files its levels' tiles lie in (a DICOM slide's levels are files of their own), each opened for the first level in it (tried again for the next level if it could not be). */
  files: Map<string, Promise<SlideFile | null>>;
  /** Reads given up (cancelled, past their deadline) that the pool has not finished: the file is slow or hung, and the lanes read it meanwhile. */
  stalled: number;
  closed: boolean;
  /** Counts the times it showed other pixels (another plane): an answer asked for before the last is not learnt. */
  shown: number;
}

export class StoredTileReader {
  private readonly slides = new Map<string, SlideTiles>();

  /** A slide the router opened: its levels are asked about as their tiles are. */
  add(slideId: string, geometry: DeepZoomGeometry): void {
    this.slides.set(slideId, { geometry, levels: new Map(), files: new Map(), stalled: 0, closed: false, shown: 0 });
  }

  /** True once per level of an open slide (again after `forget`): the caller asks a lane where its tiles lie and gives the answer to `learn`. */
  shouldAsk(slideId: string, dzLevel: number): boolean {
    const slide = this.slides.get(slideId);
    // A level the slide does not have is the lanes' to refuse.
    if (!slide || slide.levels.has(dzLevel) || !slide.geometry.levels[dzLevel]) return false;
    slide.levels.set(dzLevel, 'asked');
    return true;
  }

  /**
   * The slide shows other pixels (another focal plane or timepoint): where its levels' tiles lie is
   * asked again, and what was asked before is not learnt.
   */
  reshown(slideId: string): void {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    slide.shown++;
    slide.levels.clear();
  }

  /** What the slide shows, as `learn` and `forget` are told it was when they asked. */
  showing(slideId: string): number {
    return this.slides.get(slideId)?.shown ?? 0;
  }

  /** The lane's answer to a question asked while the slide showed `asked`; the level stays asked for until the file is open here. */
  async learn(slideId: string, dzLevel: number, tiles: StoredJpegTiles | null, asked = this.showing(slideId)): Promise<void> {
    const slide = this.slides.get(slideId);
    if (!slide || slide.shown !== asked) return;
    if (tiles === null) {
      slide.levels.set(dzLevel, null);
      return;
    }
    const files = await Promise.all(tiles.files.map(({ path }) => this.open(slide, path)));
    if (slide.closed || slide.shown !== asked) return;
    // Replaced or rewritten since the lane opened it (a lane that restarted may have opened another file): the lanes' to read.
    const same = (opened: Array<SlideFile | null>): opened is SlideFile[] => opened.every((file, i) => file?.identity === tiles.files[i]!.identity);
    slide.levels.set(dzLevel, same(files) && files.length > 0 ? { tiles, files } : null);
  }

  /** A file of the slide, opened once for all its levels; null when it cannot be (the next level tries again: a descriptor limit passes). */
  private async open(slide: SlideTiles, path: string): Promise<SlideFile | null> {
    let opening = slide.files.get(path);
    if (!opening) {
      opening = SlideFile.openInPool(path).catch(() => null);
      slide.files.set(path, opening);
    }
    const file = await opening;
    if (!file && slide.files.get(path) === opening) slide.files.delete(path);
    return file;
  }

  /** The lane could not say (it restarted, the request was stopped): the level's next tile asks again. */
  forget(slideId: string, dzLevel: number, asked = this.showing(slideId)): void {
    const slide = this.slides.get(slideId);
    if (slide?.shown === asked && slide.levels.get(dzLevel) === 'asked') slide.levels.delete(dzLevel);
  }

  /** True while this level's tiles are read here: the lanes need not prefetch them. */
  reads(slideId: string, dzLevel: number): boolean {
    const slide = this.slides.get(slideId);
    const level = slide?.levels.get(dzLevel);
    return slide !== undefined && typeof level === 'object' && level !== null && slide.stalled === 0;
  }

  /** The tile as the lanes would send it, or null when it is theirs to answer (or `signal` aborted). */
  async read(slideId: string, dzLevel: number, col: number, row: number, signal: AbortSignal): Promise<EncodedTile | null> {
    const slide = this.slides.get(slideId);
    const level = slide?.levels.get(dzLevel);
    if (!slide || !level || level === 'asked' || slide.stalled > 0) return null;
    const { tiles } = level;
    const rect = dzTileRect(slide.geometry, dzLevel, col, row);
    if (!rect || col >= tiles.cols || row >= tiles.rows) return null;
    const index = row * tiles.cols + col;
    const file = level.files[tiles.tileFiles ? (tiles.tileFiles[index] ?? -1) : 0];
    if (!file) return null;
    const offset = tiles.offsets[index]!;
    const count = tiles.counts[index]!;
    if (offset <= 0 || count <= 0 || count > tiles.maxCount || offset + count > file.size) return null;
    const stored = await untilAborted(file.read(offset, count, 'A tile'), signal, slide).catch(() => null);
    if (!stored) return null;
    // As the lane makes it: the source's readStoredJpeg, DeepZoomTiler.getTile, SlideColour.withProfile.
    const jpeg = storedJpeg(stored, tiles.framing, tiles.tileWidth, tiles.tileHeight);
    if (typeof jpeg === 'string') return null;
    return storedJpegTile(tiles.iccMarkers ? withIccMarkers(jpeg, tiles.iccMarkers) : jpeg, rect, tiles, col, row);
  }

  close(slideId: string): void {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    slide.closed = true;
    this.slides.delete(slideId);
    // Their reads in the pool finish first (SlideFile closes the descriptor after them, in the pool).
    for (const opening of slide.files.values()) void opening.then((file) => file?.close()).catch(() => undefined);
  }
}

/**
 * The read's bytes, or null as soon as `signal` aborts: a read the pool never finishes must not hold
 * the request. The slide counts it as stalled until the pool does finish it.
 */
function untilAborted(read: Promise<Uint8Array>, signal: AbortSignal, slide: SlideTiles): Promise<Uint8Array | null> {
  if (signal.aborted) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    let gaveUp = false;
    const onAbort = () => {
      gaveUp = true;
      slide.stalled++;
      resolve(null);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    read.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
      if (gaveUp) slide.stalled--;
    });
  });
}
