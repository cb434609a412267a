// The surface OpenSlide 3.4.1 draws a region on when the region's origin falls between a level's
// pixels, with the arithmetic of the cairo 1.16 and pixman 0.42 it runs on (Debian 12), so that such
// regions come out as OpenSlide's do, pixel for pixel:
//
// - each tile is an ARGB32 surface painted at a fractional translation; cairo turns the translation
//   into 16.16 fixed point (rounded half to even) and, the scale being 1, samples it with pixman's
//   BILINEAR filter, transparent outside the tile;
// - OpenSlide paints with the SATURATE operator (its seams between tiles add up to opaque), which
//   pixman composites in its float pipeline: 8-bit values times 1/255 in single precision,
//   bilinear weights from the full 16-bit fraction, result * 256 truncated back to 8 bits.
//
// Every float operation here is rounded to single precision as pixman's C does (Math.fround).

import type { RgbImage } from '../../shared/slide';
import { unpremultiply } from './pixels';

const f32 = Math.fround;
const INV_255 = f32(1 / 255);
/** pixman_expand_to_float for 8-bit components: v * (1.0f / 255). */
const UNORM8 = Float32Array.from({ length: 256 }, (_, v) => f32(v * INV_255));
/** FLT_MIN: pixman treats |sa| below it as zero. */
const FLT_MIN = 1.1754943508222875e-38;

/** cairo's _cairo_fixed_16_16_from_double: the nearest multiple of 2^-16, ties to even, as an integer. */
export function fixed1616(value: number): number {
  const scaled = value * 65536;
  const rounded = Math.round(scaled);
  return rounded - scaled === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/** pixman_float_to_unorm(f, 8): f clamped to [0, 1], times 256, truncated, 256 -> 255. */
function toUnorm8(f: number): number {
  const u = Math.trunc((f > 1 ? 1 : Math.max(f, 0)) * 256);
  return u - (u >> 8);
}

/** A premultiplied RGBA surface that tiles are painted on with cairo's bilinear sampling and the SATURATE operator. */
export class SubpixelCanvas {
  /** Premultiplied R, G, B, A per pixel, as pixman keeps an ARGB32 surface. */
  private readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 4);
  }

  /**
   * Paints an opaque RGB tile, of which only the top-left validWidth x validHeight pixels are
   * image (OpenSlide clears the rest of an edge tile), with its top-left corner at (tx, ty) on the
   * canvas: cairo_translate(tx, ty), then the tile painted as a surface at 0, 0.
   */
  paintTile(tile: RgbImage, validWidth: number, validHeight: number, tx: number, ty: number): void {
    // The pattern matrix is the inverse translation, in pixman's 16.16 fixed point. Device pixel i
    // samples at (i + 0.5) * 2^16 + fx, and bilinear reads the two pixels around it less a half.
    const fx = fixed1616(-tx);
    const fy = fixed1616(-ty);
    const baseX = Math.floor(fx / 65536);
    const baseY = Math.floor(fy / 65536);
    const dx = f32((fx - baseX * 65536) / 65536);
    const dy = f32((fy - baseY * 65536) / 65536);
    // bilinear_interpolation_float's weights, each a float product.
    const wTl = f32(f32(1 - dx) * f32(1 - dy));
    const wTr = f32(dx * f32(1 - dy));
    const wBl = f32(f32(1 - dx) * dy);
    const wBr = f32(dx * dy);
    const products = (w: number) => Float32Array.from(UNORM8, (v) => f32(v * w));
    const pTl = products(wTl);
    const pTr = products(wTr);
    const pBl = products(wBl);
    const pBr = products(wBr);
    // Device pixels whose two taps include an image pixel of the tile: source column from -1 to validWidth - 1.
    const i0 = Math.max(0, -1 - baseX);
    const i1 = Math.min(this.width, validWidth - baseX);
    const j0 = Math.max(0, -1 - baseY);
    const j1 = Math.min(this.height, validHeight - baseY);
    const src = tile.data;
    const stride = tile.width * 3;
    const out = this.pixels;
    const s = new Float64Array(4);
    for (let j = j0; j < j1; j++) {
      const r0 = j + baseY;
      const top = r0 >= 0 ? r0 * stride : -1;
      const bottom = r0 + 1 < validHeight ? (r0 + 1) * stride : -1;
      for (let i = i0; i < i1; i++) {
        const c0 = i + baseX;
        const left = c0 >= 0 ? c0 * 3 : -1;
        const right = c0 + 1 < validWidth ? (c0 + 1) * 3 : -1;
        // Taps outside the tile's image are transparent black: their products are 0.
        for (let c = 0; c < 3; c++) {
          const tl = top >= 0 && left >= 0 ? pTl[src[top + left + c]!]! : 0;
          const tr = top >= 0 && right >= 0 ? pTr[src[top + right + c]!]! : 0;
          const bl = bottom >= 0 && left >= 0 ? pBl[src[bottom + left + c]!]! : 0;
          const br = bottom >= 0 && right >= 0 ? pBr[src[bottom + right + c]!]! : 0;
          s[c] = f32(f32(f32(tl + tr) + bl) + br);
        }
        const aTl = top >= 0 && left >= 0 ? pTl[255]! : 0;
        const aTr = top >= 0 && right >= 0 ? pTr[255]! : 0;
        const aBl = bottom >= 0 && left >= 0 ? pBl[255]! : 0;
        const aBr = bottom >= 0 && right >= 0 ? pBr[255]! : 0;
        const sa = f32(f32(f32(aTl + aTr) + aBl) + aBr);
        s[3] = sa;
        // SATURATE: s * min(1, (1 - da) / sa) + d, each component capped at 1.
        const o = (j * this.width + i) * 4;
        const da = UNORM8[out[o + 3]!]!;
        let factor = 1;
        if (!(sa > -FLT_MIN && sa < FLT_MIN)) {
          const f = f32(f32(1 - da) / sa);
          factor = f < 0 ? 0 : Math.min(f, 1);
        }
        for (let c = 0; c < 4; c++) {
          const v = f32(f32(s[c]! * factor) + UNORM8[out[o + c]!]!);
          out[o + c] = toUnorm8(Math.min(v, 1));
        }
      }
    }
  }

  /** The canvas as straight RGBA, converted in place (no second region-sized buffer): nothing may be painted after. */
  toStraightRgba(): RgbImage {
    unpremultiply(this.pixels);
    return { data: this.pixels, width: this.width, height: this.height, channels: 4 };
  }
}
