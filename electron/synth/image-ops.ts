// Small deterministic RGB image helpers for the associated images (thumbnail, label, macro).
// Plain JS arithmetic rather than sharp's resizer, so results do not depend on the CPU's SIMD path.

export interface RgbImage {
  /** Interleaved 8-bit RGB, row-major, no padding. */
  data: Uint8Array;
  width: number;
  height: number;
}

export function createImage(width: number, height: number, colour: readonly [number, number, number]): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) {
    data[i] = colour[0];
    data[i + 1] = colour[1];
    data[i + 2] = colour[2];
  }
  return { data, width, height };
}

/** Area-average resampling to any smaller (or larger) size. */
export function resizeArea(src: RgbImage, width: number, height: number): RgbImage {
  const horiz = resampleAxis(src.data, src.width, src.height, width, true);
  const out = resampleAxis(horiz, width, src.height, height, false);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) {
    const v = out[i]!;
    data[i] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
  }
  return { data, width, height };
}

/** One separable pass: each output sample averages the source interval it covers. */
function resampleAxis(src: ArrayLike<number>, sw: number, sh: number, outLen: number, horizontal: boolean): Float32Array {
  const inLen = horizontal ? sw : sh;
  const ow = horizontal ? outLen : sw;
  const oh = horizontal ? sh : outLen;
  const out = new Float32Array(ow * oh * 3);
  const scale = inLen / outLen;
  for (let o = 0; o < outLen; o++) {
    const a = o * scale;
    const b = Math.min(inLen, (o + 1) * scale);
    const i0 = Math.floor(a);
    const i1 = Math.min(inLen - 1, Math.ceil(b) - 1);
    const total = b - a;
    for (let i = i0; i <= i1; i++) {
      const w = (Math.min(b, i + 1) - Math.max(a, i)) / total;
      if (w <= 0) continue;
      if (horizontal) {
        for (let y = 0; y < sh; y++) {
          const s = (y * sw + i) * 3;
          const d = (y * ow + o) * 3;
          out[d] = out[d]! + src[s]! * w;
          out[d + 1] = out[d + 1]! + src[s + 1]! * w;
          out[d + 2] = out[d + 2]! + src[s + 2]! * w;
        }
      } else {
        const s0 = i * sw * 3;
        const d0 = o * ow * 3;
        for (let x = 0; x < sw * 3; x++) out[d0 + x] = out[d0 + x]! + src[s0 + x]! * w;
      }
    }
  }
  return out;
}

export function fillRect(img: RgbImage, x: number, y: number, w: number, h: number, colour: readonly [number, number, number]): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(img.width, Math.floor(x + w));
  const y1 = Math.min(img.height, Math.floor(y + h));
  for (let yy = y0; yy < y1; yy++) {
    for (let xx = x0; xx < x1; xx++) {
      const p = (yy * img.width + xx) * 3;
      img.data[p] = colour[0];
      img.data[p + 1] = colour[1];
      img.data[p + 2] = colour[2];
    }
  }
}

/** Copies src into dst with its top-left corner at (x, y), clipped. */
export function blit(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let sy = 0; sy < src.height; sy++) {
    const dy = y + sy;
    if (dy < 0 || dy >= dst.height) continue;
    const sx0 = Math.max(0, -x);
    const sx1 = Math.min(src.width, dst.width - x);
    if (sx1 <= sx0) continue;
    const s = (sy * src.width + sx0) * 3;
    dst.data.set(src.data.subarray(s, s + (sx1 - sx0) * 3), (dy * dst.width + x + sx0) * 3);
  }
}

/** Rows [y0, y0+rows) of an image as their own contiguous buffer. */
export function rowsOf(img: RgbImage, y0: number, rows: number): Uint8Array {
  return img.data.subarray(y0 * img.width * 3, (y0 + rows) * img.width * 3);
}
