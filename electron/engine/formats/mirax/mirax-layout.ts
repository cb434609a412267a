// Where a MIRAX slide's images go, as OpenSlide 3.4.1 places them (mirax_open,
// process_hier_data_pages_from_indexfile, get_tile_position, insert_tile):
//
// The camera takes a photo, records where it took it, and the photo is stored cut into
// divisions x divisions images. A lower zoom level's image is 2^concat images of the level above
// reduced and put side by side - per image, not per photo - so once an image holds several photos
// it is cut back into one tile per photo ("subtiles"), each placed where its photo was. Every tile
// goes on its level's tilemap grid at its cell's corner plus the offset between where the camera
// was and where the grid puts it. The arithmetic below is OpenSlide's, in its order (C integer
// division and truncation where it has them), so the tiles land on the same fraction of a pixel.

import { MAX_DIMENSION } from '../../tiff/tiff-file';
import { TilemapGrid } from '../tilemap-grid';
import type { MiraxImageRecord } from './mirax-index';
import type { MiraxImageFormat, MiraxSlidedat } from './mirax-slidedat';

/** A stored image of a level: where its bytes are, and its number (OpenSlide's cache key). */
export interface MiraxImage extends MiraxImageRecord {
  number: number;
}

/** What a grid cell shows: an image, or the part of it one photo fills (from srcX, srcY). */
export interface MiraxTile {
  image: MiraxImage;
  srcX: number;
  srcY: number;
}

export interface MiraxLevel {
  width: number;
  height: number;
  downsample: number;
  grid: TilemapGrid<MiraxTile>;
  format: MiraxImageFormat;
  imageWidth: number;
  imageHeight: number;
  /** A tile's size: the image's, or a photo's share of it. */
  tileWidth: number;
  tileHeight: number;
  /** OpenSlide's tile size hint for the level (integral advances, no overlap, no tile off its cell), before it drops them all when one level has none. */
  hint: { width: number; height: number } | null;
}

/** A layout OpenSlide refuses, or one past the bounds: the reason (and whether it is too large rather than wrong). */
export class MiraxLayoutError extends Error {
  constructor(
    message: string,
    readonly tooLarge = false,
  ) {
    super(message);
  }
}

/** Tiles placed, all levels together, past which a slide is refused (real slides: a few hundred thousand). */
export const MAX_PLACED_TILES = 4_000_000;

/** Camera positions in level-0 pixels, photo by photo (row-major); null: none recorded (the nominal grid). */
export type CameraPositions = Int32Array | null;

interface LevelParams {
  imageConcat: number;
  tileCountDivisor: number;
  tilesPerImage: number;
  positionsPerTile: number;
  advanceX: number;
  advanceY: number;
}

export function layOutMirax(s: MiraxSlidedat, records: readonly MiraxImageRecord[][], recordedPositions: CameraPositions): MiraxLevel[] {
  const { imagesX, imagesY, divisions } = s;
  const level0 = s.zoomLevels[0]!;
  const positioned = s.vimslidePositionRecord !== -1 || s.stitchingPositionRecord !== -1 || level0.overlapX !== 0 || level0.overlapY !== 0;

  // Level 0's size, "in a stupid but clear way": each image's width, less the overlap at a photo's last image.
  const baseSize = (images: number, size: number, overlap: number) => {
    let total = 0;
    for (let i = 0; i < images; i++) total = Math.trunc(total + (i % divisions !== divisions - 1 || i === images - 1 ? size : size - overlap));
    return total;
  };
  const baseW = baseSize(imagesX, level0.imageWidth, level0.overlapX);
  const baseH = baseSize(imagesY, level0.imageHeight, level0.overlapY);

  let totalExponent = 0;
  const params: LevelParams[] = [];
  const levels: MiraxLevel[] = s.zoomLevels.map((z) => {
    totalExponent += z.concatExponent;
    const imageConcat = 2 ** totalExponent;
    const positionsPerImage = Math.max(1, Math.trunc(imageConcat / divisions));
    const p: LevelParams = positioned
      ? { imageConcat, tileCountDivisor: Math.min(imageConcat, divisions), tilesPerImage: positionsPerImage, positionsPerTile: 1, advanceX: 0, advanceY: 0 }
      : { imageConcat, tileCountDivisor: imageConcat, tilesPerImage: 1, positionsPerTile: positionsPerImage, advanceX: 0, advanceY: 0 };
    const tileWidth = z.imageWidth / p.tilesPerImage;
    const tileHeight = z.imageHeight / p.tilesPerImage;
    const imagesPerPosition = Math.max(1, Math.trunc(divisions / imageConcat));
    p.advanceX = tileWidth - z.overlapX / imagesPerPosition;
    p.advanceY = tileHeight - z.overlapY / imagesPerPosition;
    if (!(p.advanceX > 0 && p.advanceY > 0)) {
      throw new MiraxLayoutError(
        `its tiles at concatenation ${imageConcat} are ${tileWidth} x ${tileHeight} pixels but overlap by ${z.overlapX} x ${z.overlapY}`,
      );
    }
    params.push(p);
    const width = Math.trunc(baseW / imageConcat);
    const height = Math.trunc(baseH / imageConcat);
    if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
      throw new MiraxLayoutError(`its images make a level of ${width} x ${height} pixels`, width > MAX_DIMENSION || height > MAX_DIMENSION);
    }
    const hinted = Number.isInteger(p.advanceX) && Number.isInteger(p.advanceY) && p.advanceX === tileWidth && p.advanceY === tileHeight;
    return {
      width,
      height,
      // C integer division of the two concatenations.
      downsample: Math.trunc(imageConcat / params[0]!.imageConcat),
      grid: new TilemapGrid<MiraxTile>(p.advanceX, p.advanceY, tileWidth, tileHeight),
      format: z.format,
      imageWidth: z.imageWidth,
      imageHeight: z.imageHeight,
      tileWidth,
      tileHeight,
      hint: hinted ? { width: p.advanceX, height: p.advanceY } : null,
    };
  });

  const positionsX = Math.trunc(imagesX / divisions);
  const positionsY = Math.trunc(imagesY / divisions);
  const positionCount = positionsX * positionsY;
  const positionOf = (cp: number): [number, number] => {
    if (cp < 0 || cp >= positionCount)
      throw new MiraxLayoutError(`an image lies at camera position ${cp}, outside the ${positionsX} x ${positionsY} positions`);
    if (recordedPositions) return [recordedPositions[2 * cp]!, recordedPositions[2 * cp + 1]!];
    // The nominal grid, truncated to a C int as OpenSlide stores it.
    return [
      Math.trunc((cp % positionsX) * (level0.imageWidth * divisions - level0.overlapX)),
      Math.trunc(Math.trunc(cp / positionsX) * (level0.imageHeight * divisions - level0.overlapY)),
    ];
  };

  // Positions that have a level-0 image; lower levels place tiles only over these.
  const active = new Set<number>();
  let sortedActive: number[] | null = null;
  const anyActive = (xp: number, yp: number, perTile: number): boolean => {
    sortedActive ??= [...active].sort((a, b) => a - b);
    const list = sortedActive;
    // OpenSlide's ypp x xpp walk, row by row: a row's positions are a run of numbers (running on
    // into the next row past the last column, as its arithmetic does); rows past the last position hold none.
    for (let ypp = yp; ypp < yp + perTile; ypp++) {
      const first = ypp * positionsX + xp;
      if (list.length === 0 || first > list[list.length - 1]!) return false;
      const i = lowerBound(list, first);
      if (i < list.length && list[i]! < first + perTile) return true;
    }
    return false;
  };

  let placed = 0;
  let imageNumber = 0;
  records.forEach((levelRecords, zoom) => {
    const level = levels[zoom]!;
    const p = params[zoom]!;
    for (const record of levelRecords) {
      const x = record.index % imagesX;
      const y = Math.trunc(record.index / imagesX);
      if (y >= imagesY)
        throw new MiraxLayoutError(`image ${record.index} of zoom level ${zoom} is in row ${y}, below the grid's ${imagesY} rows (y outside of bounds)`);
      if (x % p.imageConcat) throw new MiraxLayoutError(`x (${x}) not correct multiple for zoom level (${zoom})`);
      if (y % p.imageConcat) throw new MiraxLayoutError(`y (${y}) not correct multiple for zoom level (${zoom})`);
      const image: MiraxImage = { ...record, number: imageNumber++ };
      for (let yi = 0; yi < p.tilesPerImage; yi++) {
        const yy = y + yi * divisions;
        if (yy >= imagesY) break;
        for (let xi = 0; xi < p.tilesPerImage; xi++) {
          const xx = x + xi * divisions;
          if (xx >= imagesX) break;
          const xp = Math.trunc(xx / divisions);
          const yp = Math.trunc(yy / divisions);
          const cp = yp * positionsX + xp;
          const [px, py] = positionOf(cp);
          if (zoom === 0) {
            // Only position (0, 0) may be at pixel (0, 0): others there were not scanned.
            if (px === 0 && py === 0 && (xp !== 0 || yp !== 0)) continue;
            active.add(cp);
            sortedActive = null;
          } else if (!anyActive(xp, yp, p.positionsPerTile)) {
            continue;
          }
          const pos0X = px + level0.imageWidth * (xx - xp * divisions);
          const pos0Y = py + level0.imageHeight * (yy - yp * divisions);
          const posX = pos0X / p.imageConcat;
          const posY = pos0Y / p.imageConcat;
          const col = Math.trunc(x / p.tileCountDivisor) + xi;
          const row = Math.trunc(y / p.tileCountDivisor) + yi;
          const offsetX = posX - col * p.advanceX;
          const offsetY = posY - row * p.advanceY;
          if (offsetX !== 0 || offsetY !== 0) level.hint = null;
          if (++placed > MAX_PLACED_TILES) throw new MiraxLayoutError(`its index places more than ${MAX_PLACED_TILES} tiles`, true);
          level.grid.add(col, row, offsetX, offsetY, { image, srcX: level.tileWidth * xi, srcY: level.tileHeight * yi });
        }
      }
    }
  });
  return levels;
}

/** The first index of a sorted list whose value is at least `value`. */
function lowerBound(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
