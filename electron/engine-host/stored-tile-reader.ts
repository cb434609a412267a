// Stored JPEG tiles read by the engine process's main thread. A deep-zoom tile that is a stored tile
// as it is (its tables spliced in) needs no decoding: read here, it is spared two thread hops and a
// lane's queue, where it would wait behind tiles being decoded (docs/performance.md, "Stored tiles
// read by the router"). A lane says where a level's tiles lie (engine:stored-tiles); a tile that is
// absent, damaged or anything but in order is left to the lanes, which answer it and say what is wrong.

import { dzTileRect } from '../../shared/deepzoom';
import type { DeepZoomGeometry, EncodedTile, StoredJpegTiles } from '../../shared/slide';
import { completeJpeg, jpegStructureProblem } from '../engine/codecs/jpeg-stream';
import { withIccMarkers } from '../engine/colour/icc-jpeg';
import { SlideFile } from '../engine/slide-file';

/** A level's tiles: where they lie, not stored as they are (null), or asked for and not yet known. */
type LevelTiles = StoredJpegTiles | null | 'asked';

interface SlideTiles {
  geometry: DeepZoomGeometry;
  levels: Map<number, LevelTiles>;
  /** Opened with the first level whose tiles lie in it; null after that when it is not the lanes' file. */
  file: SlideFile | null | undefined;
}

export class StoredTileReader {
  private readonly slides = new Map<string, SlideTiles>();

  /** A slide the router opened: its levels are asked about as their tiles are. */
  add(slideId: string, geometry: DeepZoomGeometry): void {
    this.slides.set(slideId, { geometry, levels: new Map(), file: undefined });
  }

  /** True once per level of an open slide: the caller asks a lane where its tiles lie and gives the answer to `learn`. */
  shouldAsk(slideId: string, dzLevel: number): boolean {
    const slide = this.slides.get(slideId);
    // A level the slide does not have is the lanes' to refuse.
    if (!slide || slide.levels.has(dzLevel) || !slide.geometry.levels[dzLevel]) return false;
    slide.levels.set(dzLevel, 'asked');
    return true;
  }

  learn(slideId: string, dzLevel: number, tiles: StoredJpegTiles | null): void {
    const slide = this.slides.get(slideId);
    if (!slide) return;
    slide.levels.set(dzLevel, tiles);
    if (tiles === null || slide.file !== undefined) return;
    try {
      // Through the pool: a slow or hung file must not hold the thread that routes every request.
      const file = SlideFile.open(tiles.path, { dataReadsInThread: false });
      // Replaced or rewritten since the lanes opened it: its tiles are theirs to read.
      if (file.identity() === tiles.fileIdentity) slide.file = file;
      else {
        file.close();
        slide.file = null;
      }
    } catch {
      slide.file = null;
    }
  }

  /** The tile as the lanes would send it, or null when it is theirs to answer. */
  async read(slideId: string, dzLevel: number, col: number, row: number): Promise<EncodedTile | null> {
    const slide = this.slides.get(slideId);
    const tiles = slide?.levels.get(dzLevel);
    const file = slide?.file;
    if (!slide || !file || !tiles || tiles === 'asked') return null;
    const rect = dzTileRect(slide.geometry, dzLevel, col, row);
    if (!rect || col >= tiles.cols || row >= tiles.rows) return null;
    const index = row * tiles.cols + col;
    const offset = tiles.offsets[index]!;
    const count = tiles.counts[index]!;
    if (offset <= 0 || count <= 0 || count > tiles.maxCount || offset + count > file.size) return null;
    let stored: Uint8Array;
    try {
      stored = await file.read(offset, count, 'A tile');
    } catch {
      return null;
    }
    const jpeg = completeJpeg(stored, tiles.jpegTables ?? undefined, tiles.rgb);
    if (jpegStructureProblem(jpeg, tiles.tileWidth, tiles.tileHeight)) return null;
    const bytes = tiles.iccMarkers ? withIccMarkers(jpeg, tiles.iccMarkers) : jpeg;
    // Stored tiles are padded to full size at the right and bottom edges; the viewer crops.
    const width = Math.min(rect.width, tiles.width - col * tiles.tileWidth);
    const height = Math.min(rect.height, tiles.height - row * tiles.tileHeight);
    return width < tiles.tileWidth || height < tiles.tileHeight ? { bytes, mime: 'image/jpeg', crop: { width, height } } : { bytes, mime: 'image/jpeg' };
  }

  close(slideId: string): void {
    this.slides.get(slideId)?.file?.close();
    this.slides.delete(slideId);
  }
}
