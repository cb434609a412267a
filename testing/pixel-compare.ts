import sharp from 'sharp';
import type { EncodedTile, RgbImage } from '../shared/slide';

// Compares two interleaved images channel by channel (the reference may carry alpha).

export interface PixelDiff {
  maxDiff: number;
  meanDiff: number;
  /** Fraction of compared samples that differ by more than the tolerance. */
  overTolerance: number;
  compared: number;
}

export interface ImageLike {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

/**
 * Compares the RGB of a and b where `mask(x, y)` is true (default: everywhere). Pixels that are
 * transparent in either image are skipped: OpenSlide leaves areas outside the slide transparent.
 */
export function compareRgb(a: ImageLike, b: ImageLike, tolerance: number, mask?: (x: number, y: number) => boolean): PixelDiff {
  if (a.width !== b.width || a.height !== b.height) throw new Error(`size differs: ${a.width}x${a.height} vs ${b.width}x${b.height}`);
  let max = 0;
  let sum = 0;
  let over = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (mask && !mask(x, y)) continue;
      const ia = (y * a.width + x) * a.channels;
      const ib = (y * b.width + x) * b.channels;
      if ((a.channels === 4 && a.data[ia + 3] === 0) || (b.channels === 4 && b.data[ib + 3] === 0)) continue;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a.data[ia + c]! - b.data[ib + c]!);
        if (d > max) max = d;
        if (d > tolerance) over++;
        sum += d;
        n++;
      }
    }
  }
  return { maxDiff: max, meanDiff: n ? sum / n : 0, overTolerance: n ? over / n : 0, compared: n };
}

/** A served tile as the viewer shows it: decoded, and cropped when the tile says so. */
export async function decodeTile(tile: EncodedTile): Promise<RgbImage> {
  let pipeline = sharp(tile.bytes);
  if (tile.crop) pipeline = pipeline.extract({ left: 0, top: 0, width: tile.crop.width, height: tile.crop.height });
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
}
