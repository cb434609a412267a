// Builds a tiled image pyramid from the tissue painter in one streaming pass, with bounded memory.
//
// Level 0 is painted one tile row at a time; each finished tile row is encoded (tiles handed to the
// encoder) and box-downsampled into the next level's tile-row buffer, which is emitted in turn when
// it fills - so at any time only one tile row per level is held, whatever the slide size. Lower
// levels are downsampled from level 0 pixels (as scanners do), so every level shows the same content.
//
// Work is overlapped: encodes run in sharp's thread pool while the main thread paints the next tile
// row. Tiles are written strictly in the order they were queued, so the file is byte-identical from
// run to run. Tiles known to be pure background (from the painter's coarse mask) are neither painted
// nor encoded again: the one background tile's bytes are reused.

import type { TissuePainter } from './tissue';

export interface LevelSize {
  width: number;
  height: number;
}

/** Level k is floor(size / factor^k) (as Aperio does), for `count` levels. */
export function pyramidLevelSizes(width: number, height: number, factor: number, count: number): LevelSize[] {
  const sizes: LevelSize[] = [];
  let w = width;
  let h = height;
  for (let k = 0; k < count; k++) {
    if (w < 1 || h < 1) throw new Error(`level ${k} of a ${width}x${height} pyramid would be empty`);
    sizes.push({ width: w, height: h });
    w = Math.floor(w / factor);
    h = Math.floor(h / factor);
  }
  return sizes;
}

/**
 * Box-downsamples interleaved RGB by an integer factor: out(x, y) is the rounded mean of the
 * factor x factor block at (x*factor, y*factor); partial blocks at the edges are dropped.
 * The pyramid builder uses exactly this, so tests can recompute any level's pixels.
 */
export function reduceBox(src: Uint8Array, width: number, height: number, factor: number): { data: Uint8Array; width: number; height: number } {
  const ow = Math.floor(width / factor);
  const oh = Math.floor(height / factor);
  const out = new Uint8Array(ow * oh * 3);
  reduceRows(src, width * 3, 0, out, ow * 3, 0, ow, oh, factor);
  return { data: out, width: ow, height: oh };
}

/** Core of reduceBox over a window: `ow` x `oh` output pixels from rows starting at srcOffset. */
function reduceRows(
  src: Uint8Array,
  srcStride: number,
  srcOffset: number,
  dst: Uint8Array,
  dstStride: number,
  dstOffset: number,
  ow: number,
  oh: number,
  factor: number,
): void {
  const n = factor * factor;
  const half = n >> 1;
  const sums = new Uint32Array(ow * 3);
  for (let oy = 0; oy < oh; oy++) {
    sums.fill(0);
    for (let k = 0; k < factor; k++) {
      let p = srcOffset + (oy * factor + k) * srcStride;
      if (factor === 4) {
        for (let q = 0; q < ow * 3; q += 3, p += 12) {
          sums[q] = sums[q]! + src[p]! + src[p + 3]! + src[p + 6]! + src[p + 9]!;
          sums[q + 1] = sums[q + 1]! + src[p + 1]! + src[p + 4]! + src[p + 7]! + src[p + 10]!;
          sums[q + 2] = sums[q + 2]! + src[p + 2]! + src[p + 5]! + src[p + 8]! + src[p + 11]!;
        }
      } else if (factor === 2) {
        for (let q = 0; q < ow * 3; q += 3, p += 6) {
          sums[q] = sums[q]! + src[p]! + src[p + 3]!;
          sums[q + 1] = sums[q + 1]! + src[p + 1]! + src[p + 4]!;
          sums[q + 2] = sums[q + 2]! + src[p + 2]! + src[p + 5]!;
        }
      } else {
        for (let q = 0; q < ow * 3; q += 3) {
          for (let i = 0; i < factor; i++, p += 3) {
            sums[q] = sums[q]! + src[p]!;
            sums[q + 1] = sums[q + 1]! + src[p + 1]!;
            sums[q + 2] = sums[q + 2]! + src[p + 2]!;
          }
        }
      }
    }
    const d = dstOffset + oy * dstStride;
    for (let q = 0; q < ow * 3; q++) dst[d + q] = ((sums[q]! + half) / n) | 0;
  }
}

export interface Overview {
  /** Interleaved RGB of a whole (possibly unencoded) pyramid level. */
  data: Uint8Array;
  width: number;
  height: number;
  /** Level-0 pixels per overview pixel (per axis). */
  downsample: number;
}

export interface BuildPyramidOptions {
  painter: TissuePainter;
  tileSize: number;
  /** Downsampling between levels: 4 for Aperio, 2 for generic pyramids. */
  factor: number;
  /** Number of levels to encode (level 0 included). */
  levels: number;
  /**
   * Also keep, whole in memory, the first level (encoded or not) whose larger side is at most this
   * (for thumbnails and macro images); levels beyond `levels` are computed but not encoded for it.
   */
  overviewMaxSide?: number;
  /** Encodes one full tile (tileSize^2 RGB, background padding at the edges). */
  encodeTile(rgb: Uint8Array): Promise<Uint8Array>;
  /** Stores an encoded tile; called one at a time, in a deterministic order. */
  writeTile(level: number, index: number, data: Uint8Array): Promise<void>;
  onProgress?(tilesWritten: number, tilesTotal: number): void;
}

interface QueuedTile {
  level: number;
  index: number;
  data: Promise<Uint8Array>;
}

interface LevelState {
  level: number;
  width: number;
  height: number;
  cols: number;
  stride: number;
  buf: Uint8Array;
  /** Rows of the current tile row filled so far. */
  rowsFilled: number;
  tileRow: number;
  /** Per tile column: 1 while every source pixel of the current tile row is known background. */
  bg: Uint8Array;
  encode: boolean;
  capture?: Uint8Array;
}

export async function buildPyramid(options: BuildPyramidOptions): Promise<Overview | undefined> {
  const { painter, tileSize: ts, factor } = options;
  if (ts % factor !== 0) throw new Error(`tile size ${ts} must be a multiple of the level factor ${factor}`);
  const sizes = pyramidLevelSizes(painter.width, painter.height, factor, options.levels);
  // Extra, unencoded levels down to the overview size.
  const maxSide = options.overviewMaxSide;
  let overviewLevel = -1;
  if (maxSide !== undefined) {
    for (let k = 0; ; k++) {
      const s = sizes[k] ?? nextSize(sizes[k - 1]!, factor);
      if (!sizes[k]) {
        if (s.width < 1 || s.height < 1) {
          overviewLevel = k - 1; // extreme aspect ratio: the smallest level there is
          break;
        }
        sizes.push(s);
      }
      if (Math.max(s.width, s.height) <= maxSide) {
        overviewLevel = k;
        break;
      }
    }
  }
  const bgTile = new Uint8Array(ts * ts * 3);
  painter.fillBackground(ts * ts, 1, bgTile, 0, 0);

  const states: LevelState[] = sizes.map((s, level) => {
    const cols = Math.ceil(s.width / ts);
    const stride = cols * ts * 3;
    const state: LevelState = {
      level,
      width: s.width,
      height: s.height,
      cols,
      stride,
      buf: new Uint8Array(stride * ts),
      rowsFilled: 0,
      tileRow: 0,
      bg: new Uint8Array(cols).fill(1),
      encode: level < options.levels,
    };
    if (level === overviewLevel) state.capture = new Uint8Array(s.width * s.height * 3);
    return state;
  });
  const bgLine = new Uint8Array(states[0]!.stride);
  painter.fillBackground(bgLine.length / 3, 1, bgLine, 0, 0);
  const resetBuffer = (st: LevelState): void => {
    for (let y = 0; y < ts; y++) st.buf.set(bgLine.subarray(0, st.stride), y * st.stride);
    st.bg.fill(1);
    st.rowsFilled = 0;
  };
  for (const st of states) resetBuffer(st);

  let tilesTotal = 0;
  for (let k = 0; k < options.levels; k++) tilesTotal += states[k]!.cols * Math.ceil(states[k]!.height / ts);
  let tilesWritten = 0;
  let bgEncoded: Promise<Uint8Array> | undefined;
  const queue: QueuedTile[] = [];

  const drain = async (keep: number): Promise<void> => {
    while (queue.length > keep) {
      const item = queue.shift()!;
      await options.writeTile(item.level, item.index, await item.data);
      tilesWritten++;
      options.onProgress?.(tilesWritten, tilesTotal);
    }
  };

  const emitTileRow = (st: LevelState): void => {
    const rows = st.rowsFilled;
    if (st.encode) {
      for (let c = 0; c < st.cols; c++) {
        let data: Promise<Uint8Array>;
        if (st.bg[c]) {
          bgEncoded ??= options.encodeTile(bgTile);
          data = bgEncoded;
        } else {
          const tile = new Uint8Array(ts * ts * 3);
          for (let y = 0; y < ts; y++) {
            const s = y * st.stride + c * ts * 3;
            tile.set(st.buf.subarray(s, s + ts * 3), y * ts * 3);
          }
          data = options.encodeTile(tile);
        }
        // Keep failures from surfacing as unhandled rejections before drain() awaits them.
        data.catch(() => undefined);
        queue.push({ level: st.level, index: st.tileRow * st.cols + c, data });
      }
    }
    if (st.capture) {
      for (let y = 0; y < rows; y++) {
        const s = y * st.stride;
        st.capture.set(st.buf.subarray(s, s + st.width * 3), (st.tileRow * ts + y) * st.width * 3);
      }
    }
    const next = states[st.level + 1];
    if (next) {
      const outRows = Math.floor(rows / factor);
      const outTile = ts / factor;
      for (let c = 0; c < st.cols; c++) {
        if (st.bg[c]) continue; // next level's buffer already holds background there
        const dc = Math.floor((c * outTile) / ts);
        next.bg[dc] = 0;
        const ox0 = c * outTile;
        const ow = Math.min(ox0 + outTile, next.width) - ox0;
        if (ow <= 0 || outRows <= 0) continue;
        reduceRows(st.buf, st.stride, c * ts * 3, next.buf, next.stride, next.rowsFilled * next.stride + ox0 * 3, ow, outRows, factor);
      }
      next.rowsFilled += outRows;
      const produced = next.tileRow * ts + next.rowsFilled;
      if (next.rowsFilled === ts || (produced === next.height && next.rowsFilled > 0)) {
        emitTileRow(next);
      }
    }
    st.tileRow++;
    resetBuffer(st);
  };

  const level0 = states[0]!;
  const rows0 = Math.ceil(level0.height / ts);
  for (let tr = 0; tr < rows0; tr++) {
    const y = tr * ts;
    const h = Math.min(ts, level0.height - y);
    for (let c = 0; c < level0.cols; c++) {
      const x = c * ts;
      const w = Math.min(ts, level0.width - x);
      if (!painter.mayHaveTissue(x, y, w, h)) continue;
      painter.paint(x, y, w, h, level0.buf, level0.stride, c * ts * 3);
      level0.bg[c] = 0;
    }
    level0.rowsFilled = h;
    const before = queue.length;
    emitTileRow(level0);
    // Write out everything queued before this tile row, leaving this row's encodes running in the
    // thread pool while the next row is painted.
    await drain(queue.length - before);
  }
  await drain(0);

  const ov = overviewLevel >= 0 ? states[overviewLevel] : undefined;
  if (!ov?.capture) return undefined;
  return { data: ov.capture, width: ov.width, height: ov.height, downsample: factor ** overviewLevel };
}

function nextSize(s: LevelSize, factor: number): LevelSize {
  return { width: Math.floor(s.width / factor), height: Math.floor(s.height / factor) };
}
