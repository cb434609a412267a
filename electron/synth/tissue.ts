// A deterministic painter of H&E-like "tissue": a near-white background with a few irregular pink
// (eosin) islands, fibrous texture, and purple (haematoxylin) nuclei.
//
// Everything is a function of LEVEL-0 pixel coordinates and the seed, so any rectangle can be
// painted on its own (tile by tile, in any order) and gives the same pixels; lower pyramid levels are
// box-downsampled from level 0 by the pyramid builder, so every level shows the same content.
//
// Speed matters (a 40000 x 30000 slide is painted in well under a minute): the island shape is
// evaluated once on a coarse grid and interpolated; rectangles that the grid proves empty are
// reported by mayHaveTissue() so callers fill them with background without per-pixel work; textures
// are value noise evaluated once per lattice column per row; the fine grain is a lookup table.
// Only +, -, *, /, sqrt and integer hashing are used, so output is identical everywhere.

import { hash2, seededRandom, seedFrom, unit2 } from './random';

export type Rgb = readonly [number, number, number];

/** Slide background: glass with no tissue, as scanners show it (slightly bluish white). */
export const BACKGROUND: Rgb = [241, 240, 244];

export interface TissueOptions {
  /** Level-0 size of the slide. */
  width: number;
  height: number;
  seed?: number;
}

interface Island {
  cx: number;
  cy: number;
  rx: number;
  ry: number;
  cos: number;
  sin: number;
}

// Tissue colours (light and dark eosin) and nucleus colours (dark and light haematoxylin).
const EOSIN_LIGHT: Rgb = [238, 182, 210];
const EOSIN_DARK: Rgb = [196, 96, 150];
const HEMA_DARK: Rgb = [62, 36, 112];
const HEMA_LIGHT: Rgb = [122, 84, 168];

/** Nuclei are placed one (or none) per cell of this size, in level-0 pixels. */
const NUCLEUS_CELL = 18;
/** How far a nucleus can reach outside its tissue (largest semi-axis + antialiasing). */
const NUCLEUS_MARGIN = 11;
const GRAIN_SIZE = 256;

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

function smoothTable(n: number): Float32Array {
  const t = new Float32Array(n + 1);
  for (let i = 0; i <= n; i++) t[i] = smooth(i / n);
  return t;
}

/** Value noise in [0, 1) on a lattice of the given spacing (used where speed does not matter). */
function valueNoise(x: number, y: number, spacing: number, seed: number): number {
  const fx = x / spacing;
  const fy = y / spacing;
  const ix = Math.floor(fx);
  const iy = Math.floor(fy);
  const tx = smooth(fx - ix);
  const ty = smooth(fy - iy);
  const a = unit2(ix, iy, seed);
  const b = unit2(ix + 1, iy, seed);
  const c = unit2(ix, iy + 1, seed);
  const d = unit2(ix + 1, iy + 1, seed);
  const top = a + (b - a) * tx;
  const bottom = c + (d - c) * tx;
  return top + (bottom - top) * ty;
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

export class TissuePainter {
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  readonly background: Rgb = BACKGROUND;

  /** Spacing of the coarse shape grid, in level-0 pixels. */
  private readonly gridStep: number;
  private readonly gridW: number;
  private readonly gridH: number;
  /** Shape field at grid points, scaled so that tissue alpha = clamp(0.5 + value, 0, 1). */
  private readonly field: Float32Array;
  private readonly grain: Int8Array;
  private readonly texSeed0: number;
  private readonly texSeed1: number;
  private readonly texSeed2: number;
  private readonly nucSeed: number;
  private readonly nucSeed2: number;
  private readonly densitySeed: number;
  private readonly w512 = smoothTable(512);
  private readonly w64 = smoothTable(64);
  private readonly w32 = smoothTable(32);
  private readonly w8 = smoothTable(8);

  constructor(options: TissueOptions) {
    const { width, height } = options;
    if (!(width >= 1 && height >= 1)) throw new Error(`bad slide size ${width}x${height}`);
    this.width = width;
    this.height = height;
    this.seed = (options.seed ?? 1) >>> 0;
    const seed = this.seed;
    this.texSeed0 = seedFrom(seed, 'tex0');
    this.texSeed1 = seedFrom(seed, 'tex1');
    this.texSeed2 = seedFrom(seed, 'tex2');
    this.nucSeed = seedFrom(seed, 'nuclei');
    this.nucSeed2 = seedFrom(seed, 'nuclei2');
    this.densitySeed = seedFrom(seed, 'density');

    // Islands, in proportion to the slide so that small test slides look like big ones.
    const rand = seededRandom(seedFrom(seed, 'islands'));
    const minDim = Math.min(width, height);
    const count = 3 + Math.floor(rand() * 3);
    const islands: Island[] = [];
    let radiusSum = 0;
    for (let i = 0; i < count; i++) {
      const r = minDim * (0.12 + 0.13 * rand());
      const aspect = 0.55 + 0.9 * rand();
      const sq = Math.sqrt(aspect);
      // A rotation from a rational parametrisation (no trigonometry: identical everywhere).
      const t = rand() * 2 - 1;
      islands.push({
        cx: width * (0.2 + 0.6 * rand()),
        cy: height * (0.2 + 0.6 * rand()),
        rx: r * sq,
        ry: r / sq,
        cos: (1 - t * t) / (1 + t * t),
        sin: (2 * t) / (1 + t * t),
      });
      radiusSum += r;
    }
    const meanRadius = radiusSum / count;

    // The shape grid: about 1000 cells across whatever the slide size.
    const step = Math.max(4, Math.round(Math.max(width, height) / 1024));
    this.gridStep = step;
    this.gridW = Math.floor((width - 1) / step) + 2;
    this.gridH = Math.floor((height - 1) / step) + 2;
    this.field = new Float32Array(this.gridW * this.gridH);
    const shapeSeed = seedFrom(seed, 'shape');
    const holeSeed = seedFrom(seed, 'holes');
    const coarse = meanRadius * 0.6;
    const fine = meanRadius * 0.12;
    // Edge sharpness: the field changes by ~1 over an island radius; make the edge ~3 px wide.
    const sharpness = Math.max(2, meanRadius / 3);
    for (let j = 0; j < this.gridH; j++) {
      const y = j * step;
      for (let i = 0; i < this.gridW; i++) {
        const x = i * step;
        let f = -1e9;
        for (const isl of islands) {
          const dx = x - isl.cx;
          const dy = y - isl.cy;
          const u = (isl.cos * dx + isl.sin * dy) / isl.rx;
          const v = (-isl.sin * dx + isl.cos * dy) / isl.ry;
          const g = 1 - Math.sqrt(u * u + v * v);
          if (g > f) f = g;
        }
        const n =
          valueNoise(x, y, coarse, shapeSeed) * 0.55 + valueNoise(x, y, coarse / 2, shapeSeed + 1) * 0.3 + valueNoise(x, y, coarse / 4, shapeSeed + 2) * 0.15;
        f += 0.5 * (n - 0.5);
        // A few lumen-like holes inside the tissue.
        // Two offset octaves so that the thresholded shapes are rounded rather than lattice-like.
        const h = 0.6 * valueNoise(x, y, fine, holeSeed) + 0.4 * valueNoise(x + fine * 0.37, y - fine * 0.61, fine * 0.45, holeSeed + 1);
        if (h > 0.68) f -= (h - 0.68) * 5;
        this.field[j * this.gridW + i] = f * sharpness;
      }
    }

    // Per-pixel grain: a tiling table (its period is invisible under the other textures).
    this.grain = new Int8Array(GRAIN_SIZE * GRAIN_SIZE);
    const grainRand = seededRandom(seedFrom(seed, 'grain'));
    for (let i = 0; i < this.grain.length; i++) {
      this.grain[i] = Math.floor((grainRand() + grainRand() - 1) * 6);
    }
  }

  /**
   * False when the level-0 rectangle certainly holds only background (callers can then skip
   * painting it); true when it may hold tissue.
   */
  mayHaveTissue(x: number, y: number, w: number, h: number): boolean {
    if (x >= this.width || y >= this.height || x + w <= 0 || y + h <= 0) return false;
    const s = this.gridStep;
    const i0 = Math.max(0, Math.floor((x - NUCLEUS_MARGIN) / s));
    const i1 = Math.min(this.gridW - 1, Math.ceil((x + w + NUCLEUS_MARGIN) / s));
    const j0 = Math.max(0, Math.floor((y - NUCLEUS_MARGIN) / s));
    const j1 = Math.min(this.gridH - 1, Math.ceil((y + h + NUCLEUS_MARGIN) / s));
    for (let j = j0; j <= j1; j++) {
      const row = j * this.gridW;
      for (let i = i0; i <= i1; i++) if (this.field[row + i]! > -0.5) return true;
    }
    return false;
  }

  /** Tissue opacity (0..1) at a level-0 point. */
  alphaAt(x: number, y: number): number {
    const s = this.gridStep;
    const fx = Math.min(Math.max(x / s, 0), this.gridW - 1.000001);
    const fy = Math.min(Math.max(y / s, 0), this.gridH - 1.000001);
    const i = Math.floor(fx);
    const j = Math.floor(fy);
    const tx = fx - i;
    const ty = fy - j;
    const f = this.field;
    const a = f[j * this.gridW + i]!;
    const b = f[j * this.gridW + i + 1]!;
    const c = f[(j + 1) * this.gridW + i]!;
    const d = f[(j + 1) * this.gridW + i + 1]!;
    const top = a + (b - a) * tx;
    const v = 0.5 + top + (c + (d - c) * tx - top) * ty;
    return Math.min(Math.max(v, 0), 1);
  }

  /** Fills a rectangle of an RGB buffer with the background colour. */
  fillBackground(w: number, h: number, dst: Uint8Array, stride: number, offset = 0): void {
    const [br, bg, bb] = this.background;
    for (let y = 0; y < h; y++) {
      let p = offset + y * stride;
      for (let x = 0; x < w; x++, p += 3) {
        dst[p] = br;
        dst[p + 1] = bg;
        dst[p + 2] = bb;
      }
    }
  }

  /**
   * Paints the level-0 rectangle [x0, x0+w) x [y0, y0+h) into dst (interleaved RGB, `stride` bytes
   * per row, starting at `offset`). Pixels outside the slide get background.
   */
  paint(x0: number, y0: number, w: number, h: number, dst: Uint8Array, stride: number, offset = 0): void {
    if (!this.mayHaveTissue(x0, y0, w, h)) {
      this.fillBackground(w, h, dst, stride, offset);
      return;
    }
    this.paintBase(x0, y0, w, h, dst, stride, offset);
    this.paintNuclei(x0, y0, w, h, dst, stride, offset);
  }

  /** A freshly allocated level-0 rectangle (for tests and previews). */
  render(x0: number, y0: number, w: number, h: number): Uint8Array {
    const out = new Uint8Array(w * h * 3);
    this.paint(x0, y0, w, h, out, w * 3, 0);
    return out;
  }

  private paintBase(x0: number, y0: number, w: number, h: number, dst: Uint8Array, stride: number, offset: number): void {
    const [br, bgc, bb] = this.background;
    const s = this.gridStep;
    const field = this.field;
    const gridW = this.gridW;
    const grain = this.grain;
    const w512 = this.w512;
    const w64 = this.w64;
    const w32 = this.w32;
    const w8 = this.w8;
    const xEnd = Math.min(x0 + w, this.width);
    const gi0 = Math.floor(Math.max(x0, 0) / s);
    const gi1 = Math.min(gridW - 1, Math.floor(Math.max(xEnd - 1, 0) / s) + 1);
    const gcol = new Float32Array(gi1 - gi0 + 1);
    // Texture 0: broad tone changes, 512 px lattice (visible at low zoom). Texture 1: isotropic value
    // noise, 64 px lattice. Texture 2: fibres, 32 x 8 px lattice.
    const k0a = x0 >> 9;
    const n0 = new Float32Array(((x0 + w) >> 9) - k0a + 2);
    const k1a = x0 >> 6;
    const n1 = new Float32Array(((x0 + w) >> 6) - k1a + 2);
    const k2a = x0 >> 5;
    const n2 = new Float32Array(((x0 + w) >> 5) - k2a + 2);
    const lr = EOSIN_LIGHT[0],
      lg = EOSIN_LIGHT[1],
      lb = EOSIN_LIGHT[2];
    const dr = EOSIN_DARK[0] - lr,
      dg = EOSIN_DARK[1] - lg,
      db = EOSIN_DARK[2] - lb;
    const ts0 = this.texSeed0;
    const ts1 = this.texSeed1;
    const ts2 = this.texSeed2;

    for (let y = y0; y < y0 + h; y++) {
      const rowStart = offset + (y - y0) * stride;
      if (y < 0 || y >= this.height) {
        this.fillBackground(w, 1, dst, stride, rowStart);
        continue;
      }
      // Shape field along this row at the grid columns.
      const j = Math.floor(y / s);
      const ty = (y - j * s) / s;
      let rowMax = -1e9;
      for (let i = gi0; i <= gi1; i++) {
        const a = field[j * gridW + i]!;
        const v = a + (field[(j + 1) * gridW + i]! - a) * ty;
        gcol[i - gi0] = v;
        if (v > rowMax) rowMax = v;
      }
      if (rowMax <= -0.5) {
        this.fillBackground(w, 1, dst, stride, rowStart);
        continue;
      }
      // Texture lattice values along this row.
      const j0 = y >> 9;
      const t0 = smooth((y & 511) / 512);
      for (let k = 0; k < n0.length; k++) {
        const a = unit2(k0a + k, j0, ts0);
        n0[k] = a + (unit2(k0a + k, j0 + 1, ts0) - a) * t0;
      }
      const j1 = y >> 6;
      const t1 = w64[y & 63]!;
      for (let k = 0; k < n1.length; k++) {
        const a = unit2(k1a + k, j1, ts1);
        n1[k] = a + (unit2(k1a + k, j1 + 1, ts1) - a) * t1;
      }
      const j2 = y >> 3;
      const t2 = w8[y & 7]!;
      for (let k = 0; k < n2.length; k++) {
        const a = unit2(k2a + k, j2, ts2);
        n2[k] = a + (unit2(k2a + k, j2 + 1, ts2) - a) * t2;
      }
      const grainRow = (y & (GRAIN_SIZE - 1)) * GRAIN_SIZE;

      let p = rowStart;
      let x = x0;
      // Left of the slide (only for rectangles that stick out).
      for (; x < 0 && x < x0 + w; x++, p += 3) {
        dst[p] = br;
        dst[p + 1] = bgc;
        dst[p + 2] = bb;
      }
      while (x < xEnd) {
        const i = Math.floor(x / s);
        const cellEnd = Math.min(xEnd, (i + 1) * s);
        const ga = gcol[i - gi0]!;
        const gb = gcol[i + 1 - gi0]!;
        if (ga <= -0.5 && gb <= -0.5) {
          for (; x < cellEnd; x++, p += 3) {
            dst[p] = br;
            dst[p + 1] = bgc;
            dst[p + 2] = bb;
          }
          continue;
        }
        const slope = (gb - ga) / s;
        let g = 0.5 + ga + slope * (x - i * s);
        for (; x < cellEnd; x++, p += 3, g += slope) {
          if (g <= 0) {
            dst[p] = br;
            dst[p + 1] = bgc;
            dst[p + 2] = bb;
            continue;
          }
          const alpha = Math.min(g, 1);
          const q1 = (x >> 6) - k1a;
          const a1 = n1[q1]!;
          const v1 = a1 + (n1[q1 + 1]! - a1) * w64[x & 63]!;
          const q2 = (x >> 5) - k2a;
          const a2 = n2[q2]!;
          const v2 = a2 + (n2[q2 + 1]! - a2) * w32[x & 31]!;
          const q0 = (x >> 9) - k0a;
          const a0 = n0[q0]!;
          const v0 = a0 + (n0[q0 + 1]! - a0) * w512[x & 511]!;
          let t = 0.45 * v0 + 0.45 * v1 + 0.3 * v2 * v2 - 0.05;
          if (t < 0) t = 0;
          if (t > 1) t = 1;
          const gr = grain[grainRow + (x & (GRAIN_SIZE - 1))]!;
          const r = lr + dr * t;
          const gg = lg + dg * t;
          const b = lb + db * t;
          dst[p] = clampByte(br + (r - br + gr) * alpha);
          dst[p + 1] = clampByte(bgc + (gg - bgc + gr) * alpha);
          dst[p + 2] = clampByte(bb + (b - bb + gr) * alpha);
        }
      }
      for (; x < x0 + w; x++, p += 3) {
        dst[p] = br;
        dst[p + 1] = bgc;
        dst[p + 2] = bb;
      }
    }
  }

  private paintNuclei(x0: number, y0: number, w: number, h: number, dst: Uint8Array, stride: number, offset: number): void {
    const C = NUCLEUS_CELL;
    const xEnd = Math.min(x0 + w, this.width);
    const yEnd = Math.min(y0 + h, this.height);
    const xs = Math.max(x0, 0);
    const ys = Math.max(y0, 0);
    if (xEnd <= xs || yEnd <= ys) return;
    const ci0 = Math.floor((xs - NUCLEUS_MARGIN) / C);
    const ci1 = Math.floor((xEnd - 1 + NUCLEUS_MARGIN) / C);
    const cj0 = Math.floor((ys - NUCLEUS_MARGIN) / C);
    const cj1 = Math.floor((yEnd - 1 + NUCLEUS_MARGIN) / C);
    const grain = this.grain;
    // Cells in one global row-major order, so overlapping nuclei stack the same way in every tile.
    for (let cj = cj0; cj <= cj1; cj++) {
      for (let ci = ci0; ci <= ci1; ci++) {
        const h1 = hash2(ci, cj, this.nucSeed);
        // Clusters of dense nuclei and sparse stroma.
        const density = 0.7 * valueNoise(ci * C, cj * C, 700, this.densitySeed) + 0.3 * valueNoise(ci * C, cj * C, 200, this.densitySeed + 1);
        const p = 0.08 + 0.75 * density * density;
        if ((h1 & 0xffff) / 65536 >= p) continue;
        const h2 = hash2(ci, cj, this.nucSeed2);
        const cx = ci * C + 2 + ((h2 & 0xff) / 256) * (C - 4);
        const cy = cj * C + 2 + (((h2 >>> 8) & 0xff) / 256) * (C - 4);
        if (this.alphaAt(cx, cy) < 0.6) continue;
        const radius = 3.2 + 2.6 * (((h2 >>> 16) & 0xff) / 256);
        const elong = Math.sqrt(1 + (0.8 * ((h1 >>> 16) & 0xff)) / 256);
        const a = radius * elong;
        const b = radius / elong;
        const tt = (((h2 >>> 24) & 0xff) / 256) * 2 - 1;
        const cos = (1 - tt * tt) / (1 + tt * tt);
        const sin = (2 * tt) / (1 + tt * tt);
        const shade = ((h1 >>> 24) & 0xff) / 256;
        const nr = HEMA_DARK[0] + (HEMA_LIGHT[0] - HEMA_DARK[0]) * shade;
        const ng = HEMA_DARK[1] + (HEMA_LIGHT[1] - HEMA_DARK[1]) * shade;
        const nb = HEMA_DARK[2] + (HEMA_LIGHT[2] - HEMA_DARK[2]) * shade;
        const px0 = Math.max(xs, Math.floor(cx - a - 1));
        const px1 = Math.min(xEnd - 1, Math.ceil(cx + a + 1));
        const py0 = Math.max(ys, Math.floor(cy - a - 1));
        const py1 = Math.min(yEnd - 1, Math.ceil(cy + a + 1));
        const limit = (1 + 1.5 / b) * (1 + 1.5 / b);
        for (let py = py0; py <= py1; py++) {
          const dy = py + 0.5 - cy;
          let q = offset + (py - y0) * stride + (px0 - x0) * 3;
          const grainRow = (py & (GRAIN_SIZE - 1)) * GRAIN_SIZE;
          for (let px = px0; px <= px1; px++, q += 3) {
            const dx = px + 0.5 - cx;
            const u = (cos * dx + sin * dy) / a;
            const v = (cos * dy - sin * dx) / b;
            const d2 = u * u + v * v;
            if (d2 >= limit) continue;
            // Approximate distance to the outline in pixels, for a 1-px antialiased edge.
            const dist = (Math.sqrt(d2) - 1) * b;
            let cov = 0.5 - dist;
            if (cov <= 0) continue;
            if (cov > 1) cov = 1;
            // Chromatin texture: the grain, stronger inside the nucleus.
            const tex = 1 + grain[grainRow + (px & (GRAIN_SIZE - 1))]! * 0.035;
            dst[q] = clampByte(dst[q]! + (nr * tex - dst[q]!) * cov);
            dst[q + 1] = clampByte(dst[q + 1]! + (ng * tex - dst[q + 1]!) * cov);
            dst[q + 2] = clampByte(dst[q + 2]! + (nb * tex - dst[q + 2]!) * cov);
          }
        }
      }
    }
  }
}
