// Pixel comparison between what the viewer drew and what the engine reads itself.

import type { RgbImage } from '../../shared/slide';
import type { RgbaPixels } from './viewer-probe';

export interface PixelDiff {
  /** Mean absolute difference per channel sample, 0-255. */
  mean: number;
  /** 99th percentile of the per-pixel maximum channel difference. */
  p99: number;
  max: number;
  /** Standard deviation of the reference's luminance: low means a blank region, a weak test. */
  referenceContrast: number;
}

/**
 * Compares drawn pixels with a reference read with a margin of `slack` pixels on every side: each
 * drawn pixel is matched to the closest reference pixel within `slack`. OpenSeadragon's canvas
 * drawer draws tiles without overlap one pixel larger than they are (to hide seams), a stretch of
 * at most a pixel; a misplaced tile, wrong colours or a missing edge crop are far off.
 */
export function comparePixels(drawn: RgbaPixels, reference: RgbImage, slack = 0): PixelDiff {
  const { width, height } = drawn;
  if (reference.width !== width + 2 * slack || reference.height !== height + 2 * slack) {
    throw new Error(`size mismatch: drawn ${width}x${height} (slack ${slack}), reference ${reference.width}x${reference.height}`);
  }
  const ref = (x: number, y: number, c: number): number => reference.data[((y + slack) * reference.width + (x + slack)) * reference.channels + c] ?? 0;
  const n = width * height;
  const perPixel = new Uint8Array(n);
  let sum = 0;
  let max = 0;
  let lumaSum = 0;
  let lumaSq = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let best = Infinity;
      let bestSum = 0;
      for (let dy = -slack; dy <= slack; dy++) {
        for (let dx = -slack; dx <= slack; dx++) {
          let pixelMax = 0;
          let pixelSum = 0;
          for (let c = 0; c < 3; c++) {
            const d = Math.abs((drawn.data[i * 4 + c] ?? 0) - ref(x + dx, y + dy, c));
            pixelSum += d;
            if (d > pixelMax) pixelMax = d;
          }
          if (pixelMax < best) {
            best = pixelMax;
            bestSum = pixelSum;
          }
        }
      }
      perPixel[i] = best;
      sum += bestSum;
      if (best > max) max = best;
      const luma = 0.299 * ref(x, y, 0) + 0.587 * ref(x, y, 1) + 0.114 * ref(x, y, 2);
      lumaSum += luma;
      lumaSq += luma * luma;
    }
  }
  const sorted = [...perPixel].sort((a, b) => a - b);
  const meanLuma = lumaSum / n;
  return {
    mean: sum / (n * 3),
    p99: sorted[Math.floor(n * 0.99)] ?? 0,
    max,
    referenceContrast: Math.sqrt(Math.max(0, lumaSq / n - meanLuma * meanLuma)),
  };
}

/** Averages blocks of size x size pixels: compares layouts while forgiving resampling filters. */
export function blockAverages(data: Uint8Array | Buffer, width: number, height: number, channels: number, size: number): Float64Array {
  const bw = Math.floor(width / size);
  const bh = Math.floor(height / size);
  const out = new Float64Array(bw * bh * 3);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0;
        for (let y = by * size; y < (by + 1) * size; y++) {
          for (let x = bx * size; x < (bx + 1) * size; x++) sum += data[(y * width + x) * channels + c] ?? 0;
        }
        out[(by * bw + bx) * 3 + c] = sum / (size * size);
      }
    }
  }
  return out;
}

export function meanAbsDifference(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}
