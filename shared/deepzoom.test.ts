// Deep-zoom plane maths against openslide-python's deepzoom.py (DeepZoomGenerator, limit_bounds
// False, one slide level): level dimensions ceil(w / 2^k) down to 1x1, tiles ceil(dim / tileSize),
// a tile's rectangle its tileSize cell plus `overlap` on each side that has a neighbour, cut at the
// level's edge. Every expected value is worked out by hand from those rules.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  deepZoomGeometry,
  dzDownsample,
  dzLevelForDownsample,
  dzRectOf,
  dzTileRect,
  dzTilesCovering,
  slideLevelForDownsample,
  storedJpegTile,
} from './deepzoom';
import type { DeepZoomGeometry } from './slide';

/** [width, height, cols, rows] of each dz level, coarsest first. */
function table(geometry: DeepZoomGeometry): Array<[number, number, number, number]> {
  return geometry.levels.map((l) => [l.width, l.height, l.cols, l.rows]);
}

// 40000 x 30000, 254 px tiles, overlap 1: DeepZoomGenerator's level_count 17, tile_count 25159.
const SLIDE = deepZoomGeometry(40000, 30000, 254, 1);
const FINEST = 16;

describe('deepZoomGeometry', () => {
  it('40000 x 30000, tiles of 254, overlap 1: 17 levels, as DeepZoomGenerator makes them', () => {
    assert.equal(SLIDE.tileSize, 254);
    assert.equal(SLIDE.overlap, 1);
    assert.deepEqual(table(SLIDE), [
      [1, 1, 1, 1],
      [2, 1, 1, 1],
      [3, 2, 1, 1],
      [5, 4, 1, 1],
      [10, 8, 1, 1],
      [20, 15, 1, 1],
      [40, 30, 1, 1],
      [79, 59, 1, 1],
      [157, 118, 1, 1],
      [313, 235, 2, 1],
      [625, 469, 3, 2],
      [1250, 938, 5, 4],
      [2500, 1875, 10, 8],
      [5000, 3750, 20, 15],
      [10000, 7500, 40, 30],
      [20000, 15000, 79, 60],
      [40000, 30000, 158, 119],
    ]);
    assert.equal(
      SLIDE.levels.reduce((n, l) => n + l.cols * l.rows, 0),
      25159,
    );
  });

  it('each level is ceil(level 0 / 2^k), its tiles ceil(size / tileSize), for odd and power-of-two sizes', () => {
    for (const [w, h, ts] of [
      [40000, 30000, 254],
      [4097, 3, 256],
      [1024, 1024, 256],
      [99_999, 77_777, 510],
    ] as const) {
      const g = deepZoomGeometry(w, h, ts, 1);
      const count = Math.ceil(Math.log2(Math.max(w, h))) + 1;
      assert.equal(g.levels.length, count, `${w} x ${h}`);
      g.levels.forEach((level, dz) => {
        const k = count - 1 - dz;
        const width = Math.max(1, Math.ceil(w / 2 ** k));
        const height = Math.max(1, Math.ceil(h / 2 ** k));
        assert.deepEqual(level, { width, height, cols: Math.ceil(width / ts), rows: Math.ceil(height / ts) }, `${w} x ${h} level ${dz}`);
      });
    }
  });

  it('a 1 x 1 slide is one level of one tile', () => {
    assert.deepEqual(deepZoomGeometry(1, 1, 254, 1), { tileSize: 254, overlap: 1, levels: [{ width: 1, height: 1, cols: 1, rows: 1 }] });
  });

  it('a 1 x 5 slide: the side at 1 stays 1 while the other halves (5, 3, 2, 1)', () => {
    assert.deepEqual(table(deepZoomGeometry(1, 5, 254, 1)), [
      [1, 1, 1, 1],
      [1, 2, 1, 1],
      [1, 3, 1, 1],
      [1, 5, 1, 1],
    ]);
  });

  it('a level exactly two tiles wide has two columns, not three; one pixel more makes a third', () => {
    const exact = deepZoomGeometry(508, 254, 254, 1);
    assert.deepEqual(table(exact), [
      [1, 1, 1, 1],
      [2, 1, 1, 1],
      [4, 2, 1, 1],
      [8, 4, 1, 1],
      [16, 8, 1, 1],
      [32, 16, 1, 1],
      [64, 32, 1, 1],
      [127, 64, 1, 1],
      [254, 127, 1, 1],
      [508, 254, 2, 1],
    ]);
    assert.deepEqual(deepZoomGeometry(509, 254, 254, 1).levels.at(-1), { width: 509, height: 254, cols: 3, rows: 1 });
  });
});

describe('dzDownsample', () => {
  it('level-0 pixels per dz pixel: 1 at the finest level, doubling to 2^16 at 1 x 1', () => {
    assert.equal(dzDownsample(SLIDE, FINEST), 1);
    assert.equal(dzDownsample(SLIDE, 15), 2);
    assert.equal(dzDownsample(SLIDE, 10), 64);
    assert.equal(dzDownsample(SLIDE, 0), 65536);
    assert.equal(dzDownsample(deepZoomGeometry(1, 1, 254, 1), 0), 1);
  });
});

describe('dzLevelForDownsample', () => {
  it('the coarsest level whose pixels are at most that many level-0 pixels', () => {
    const cases: Array<[number, number]> = [
      [1, 16],
      [1.999, 16],
      [2, 15],
      [3, 15],
      [3.999, 15],
      [4, 14],
      [64, 10],
      [100, 10],
      [32768, 1],
      [65535.9, 1],
      [65536, 0],
    ];
    for (const [l0PerPixel, dz] of cases) assert.equal(dzLevelForDownsample(SLIDE, l0PerPixel), dz, `${l0PerPixel} l0 px per px`);
  });

  it('never upscales past level 0 and never goes below dz level 0', () => {
    for (const l0PerPixel of [0, 0.25, 0.999, -3]) assert.equal(dzLevelForDownsample(SLIDE, l0PerPixel), FINEST, `${l0PerPixel}`);
    for (const l0PerPixel of [65536 * 2, 1e12, Number.POSITIVE_INFINITY]) assert.equal(dzLevelForDownsample(SLIDE, l0PerPixel), 0, `${l0PerPixel}`);
  });

  it('the chosen level is no coarser than asked, the next coarser one is', () => {
    for (let l0PerPixel = 1; l0PerPixel < 70000; l0PerPixel *= 1.37) {
      const dz = dzLevelForDownsample(SLIDE, l0PerPixel);
      assert.ok(dzDownsample(SLIDE, dz) <= l0PerPixel, `${l0PerPixel}: level ${dz}`);
      if (dz > 0) assert.ok(dzDownsample(SLIDE, dz - 1) > l0PerPixel, `${l0PerPixel}: level ${dz - 1} would do`);
    }
  });

  it('a 1 x 1 slide has only level 0', () => {
    const one = deepZoomGeometry(1, 1, 254, 1);
    for (const l0PerPixel of [0.5, 1, 2, 1000]) assert.equal(dzLevelForDownsample(one, l0PerPixel), 0);
  });
});

describe('dzTileRect', () => {
  // deepzoom.py: location tileSize * t - overlap (t > 0); size min(tileSize, dim - tileSize * t) + overlaps.
  it('the first tile has overlap only towards its neighbours: 255 x 255 at (0, 0)', () => {
    assert.deepEqual(dzTileRect(SLIDE, FINEST, 0, 0), { dzX: 0, dzY: 0, width: 255, height: 255 });
  });

  it('an inner tile has overlap on all four sides: 256 x 256 from (253, 253)', () => {
    assert.deepEqual(dzTileRect(SLIDE, FINEST, 1, 1), { dzX: 253, dzY: 253, width: 256, height: 256 });
  });

  it('the last column and row are what is left of the level, with overlap only before them', () => {
    // 40000 - 157 * 254 = 122 columns left, 30000 - 118 * 254 = 28 rows: plus one pixel of overlap each.
    assert.deepEqual(dzTileRect(SLIDE, FINEST, 157, 118), { dzX: 39877, dzY: 29971, width: 123, height: 29 });
    assert.deepEqual(dzTileRect(SLIDE, FINEST, 157, 0), { dzX: 39877, dzY: 0, width: 123, height: 255 });
  });

  it('coarser levels: dz 9 (313 x 235, 2 x 1 tiles) and dz 10 (625 x 469, 3 x 2)', () => {
    // One row: no overlap above or below.
    assert.deepEqual(dzTileRect(SLIDE, 9, 0, 0), { dzX: 0, dzY: 0, width: 255, height: 235 });
    assert.deepEqual(dzTileRect(SLIDE, 9, 1, 0), { dzX: 253, dzY: 0, width: 60, height: 235 });
    assert.deepEqual(dzTileRect(SLIDE, 10, 2, 1), { dzX: 507, dzY: 253, width: 118, height: 216 });
    // deepzoom.py's read_region location is the dz one times the level's downsample: (32448, 16192).
    assert.deepEqual([507 * dzDownsample(SLIDE, 10), 253 * dzDownsample(SLIDE, 10)], [32448, 16192]);
  });

  it('the 1 x 1 level is one 1 x 1 tile', () => {
    assert.deepEqual(dzTileRect(SLIDE, 0, 0, 0), { dzX: 0, dzY: 0, width: 1, height: 1 });
    assert.deepEqual(dzTileRect(deepZoomGeometry(1, 1, 254, 1), 0, 0, 0), { dzX: 0, dzY: 0, width: 1, height: 1 });
  });

  it('a last tile that ends exactly at the level edge is a whole tile plus its overlap before it', () => {
    const exact = deepZoomGeometry(508, 254, 254, 1);
    assert.deepEqual(dzTileRect(exact, 9, 0, 0), { dzX: 0, dzY: 0, width: 255, height: 254 });
    assert.deepEqual(dzTileRect(exact, 9, 1, 0), { dzX: 253, dzY: 0, width: 255, height: 254 });
  });

  it('a last tile one pixel wide: that pixel and the overlap before it', () => {
    const g = deepZoomGeometry(255, 1, 254, 1);
    assert.deepEqual(dzTileRect(g, 8, 0, 0), { dzX: 0, dzY: 0, width: 255, height: 1 });
    assert.deepEqual(dzTileRect(g, 8, 1, 0), { dzX: 253, dzY: 0, width: 2, height: 1 });
  });

  it('overlap wider than the last tile: the tile before stops at the level edge', () => {
    // deepzoom.py's get_tile_dimensions says 256 x 3 for (0, 0): its overlap reaches one column past
    // the 255-pixel level (read as background). Here it is cut at the edge, as OpenSeadragon's
    // getTileBounds cuts it, so tile and viewer agree.
    const g = deepZoomGeometry(255, 3, 254, 2);
    assert.deepEqual(dzTileRect(g, 8, 0, 0), { dzX: 0, dzY: 0, width: 255, height: 3 });
    assert.deepEqual(dzTileRect(g, 8, 1, 0), { dzX: 252, dzY: 0, width: 3, height: 3 });
  });

  it('overlap 0: tiles are their cells, cut at the level edge', () => {
    const g = deepZoomGeometry(1000, 700, 256, 0);
    assert.deepEqual(dzTileRect(g, g.levels.length - 1, 1, 1), { dzX: 256, dzY: 256, width: 256, height: 256 });
    assert.deepEqual(dzTileRect(g, g.levels.length - 1, 3, 2), { dzX: 768, dzY: 512, width: 232, height: 188 });
  });

  it('null for a tile or level that does not exist', () => {
    for (const [dz, col, row] of [
      [FINEST, 158, 0],
      [FINEST, 0, 119],
      [FINEST, -1, 0],
      [FINEST, 0, -1],
      [FINEST, 1.5, 0],
      [FINEST, 0, Number.NaN],
      [17, 0, 0],
      [-1, 0, 0],
      [0, 1, 0],
    ] as const) {
      assert.equal(dzTileRect(SLIDE, dz, col, row), null, `level ${dz} tile ${col},${row}`);
    }
  });
});

describe('dzTilesCovering', () => {
  // At the finest level a tile is 254 level-0 pixels; at dz 10, 254 * 64 = 16256.
  it('a rectangle inside one tile, or ending exactly at its edge, is that tile', () => {
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 10, y: 10, width: 20, height: 20 }), { colStart: 0, colEnd: 0, rowStart: 0, rowEnd: 0 });
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 0, y: 0, width: 254, height: 254 }), { colStart: 0, colEnd: 0, rowStart: 0, rowEnd: 0 });
  });

  it('one pixel past a tile edge takes the next tile; starting on the edge leaves the previous one out', () => {
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 0, y: 0, width: 255, height: 1 }), { colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 0 });
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 254, y: 254, width: 1, height: 1 }), { colStart: 1, colEnd: 1, rowStart: 1, rowEnd: 1 });
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 253, y: 253, width: 2, height: 2 }), { colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1 });
  });

  it('the whole slide is every tile of the level', () => {
    const whole = { x: 0, y: 0, width: 40000, height: 30000 };
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, whole), { colStart: 0, colEnd: 157, rowStart: 0, rowEnd: 118 });
    assert.deepEqual(dzTilesCovering(SLIDE, 10, whole), { colStart: 0, colEnd: 2, rowStart: 0, rowEnd: 1 });
    assert.deepEqual(dzTilesCovering(SLIDE, 0, whole), { colStart: 0, colEnd: 0, rowStart: 0, rowEnd: 0 });
  });

  it('at a coarser level, level-0 pixels map through its downsample', () => {
    // dz 10: tile 1 holds level-0 x 16256 to 32511; tile 2 from 32512.
    assert.deepEqual(dzTilesCovering(SLIDE, 10, { x: 16256, y: 0, width: 16256, height: 16256 }), { colStart: 1, colEnd: 1, rowStart: 0, rowEnd: 0 });
    assert.deepEqual(dzTilesCovering(SLIDE, 10, { x: 16255, y: 16256, width: 16258, height: 1 }), { colStart: 0, colEnd: 2, rowStart: 1, rowEnd: 1 });
  });

  it('a ring widens the range on every side, clamped to the level', () => {
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 0, y: 0, width: 1, height: 1 }, 1), { colStart: 0, colEnd: 1, rowStart: 0, rowEnd: 1 });
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 2540, y: 2540, width: 254, height: 254 }, 2), {
      colStart: 8,
      colEnd: 12,
      rowStart: 8,
      rowEnd: 12,
    });
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 39999, y: 29999, width: 1, height: 1 }, 3), {
      colStart: 154,
      colEnd: 157,
      rowStart: 115,
      rowEnd: 118,
    });
  });

  it('null when the rectangle misses the tiles: before the slide, or past its last tile', () => {
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: -100, y: 0, width: 100, height: 100 }), null);
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: -100, y: 0, width: 100, height: 100 }, 2), null, 'not widened into the slide by a ring');
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: 0, y: -5000, width: 100, height: 4000 }), null);
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: 158 * 254, y: 0, width: 100, height: 100 }), null);
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: 0, y: 119 * 254, width: 100, height: 100 }), null);
  });

  it("null past the slide's edge, though inside the level's last tile", () => {
    // The finest level's tile 157 holds level-0 x 39878 to 40131; the slide ends at 40000.
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: 40010, y: 0, width: 100, height: 100 }), null);
    assert.equal(dzTilesCovering(SLIDE, FINEST, { x: 0, y: 30001, width: 100, height: 100 }), null);
    // dz 10's three columns reach level-0 x 48767.
    assert.equal(dzTilesCovering(SLIDE, 10, { x: 45000, y: 0, width: 1000, height: 1000 }), null);
    assert.deepEqual(dzTilesCovering(SLIDE, FINEST, { x: 39990, y: 0, width: 100, height: 1 }), { colStart: 157, colEnd: 157, rowStart: 0, rowEnd: 0 });
  });

  it('null for a level that does not exist', () => {
    assert.equal(dzTilesCovering(SLIDE, 17, { x: 0, y: 0, width: 1, height: 1 }), null);
    assert.equal(dzTilesCovering(SLIDE, -1, { x: 0, y: 0, width: 1, height: 1 }), null);
  });
});

describe('storedJpegTile', () => {
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);
  // A stored level of 1000 x 700 in 256-pixel tiles, served as the dz level of the same size (overlap 0).
  const level = { width: 1000, height: 700, tileWidth: 256, tileHeight: 256 };
  const g = deepZoomGeometry(1000, 700, 256, 0);
  const finest = g.levels.length - 1;
  const served = (col: number, row: number) => storedJpegTile(jpeg, dzTileRect(g, finest, col, row)!, level, col, row);

  it('an inner tile is the stored JPEG as it is, without a crop', () => {
    const tile = served(1, 1);
    assert.deepEqual(tile, { bytes: jpeg, mime: 'image/jpeg' });
    assert.equal(tile.bytes, jpeg);
    assert.equal('crop' in tile, false);
  });

  it('edge tiles are cropped to what the level holds: 232 columns, 188 rows', () => {
    assert.deepEqual(served(3, 0), { bytes: jpeg, mime: 'image/jpeg', crop: { width: 232, height: 256 } });
    assert.deepEqual(served(0, 2), { bytes: jpeg, mime: 'image/jpeg', crop: { width: 256, height: 188 } });
    assert.deepEqual(served(3, 2), { bytes: jpeg, mime: 'image/jpeg', crop: { width: 232, height: 188 } });
  });

  it('a level ending exactly at a tile edge needs no crop', () => {
    const whole = { width: 1024, height: 768, tileWidth: 256, tileHeight: 256 };
    const g2 = deepZoomGeometry(1024, 768, 256, 0);
    const rect = dzTileRect(g2, g2.levels.length - 1, 3, 2)!;
    assert.deepEqual(rect, { dzX: 768, dzY: 512, width: 256, height: 256 });
    assert.deepEqual(storedJpegTile(jpeg, rect, whole, 3, 2), { bytes: jpeg, mime: 'image/jpeg' });
  });

  it('a dz level a pixel smaller than the stored one: cropped to the dz tile', () => {
    // A stored level of 1001 x 700 served as a dz level of 1000 x 700 (sizes within a pixel).
    const rect = dzTileRect(g, finest, 3, 1)!;
    assert.deepEqual(storedJpegTile(jpeg, rect, { ...level, width: 1001 }, 3, 1), { bytes: jpeg, mime: 'image/jpeg', crop: { width: 232, height: 256 } });
  });
});

describe('slide levels and dz rectangles', () => {
  it('the coarsest slide level with enough pixels, judged by sizes: a level rounded down still serves its downsample', () => {
    // 4000 x 828 with levels 1/4 and 1/32 (125 x 25: 828 / 32 rounded down).
    const levels = [
      { width: 4000, height: 828 },
      { width: 1000, height: 207 },
      { width: 125, height: 25 },
    ];
    assert.equal(slideLevelForDownsample(levels, 1), 0);
    assert.equal(slideLevelForDownsample(levels, 3.9), 0);
    assert.equal(slideLevelForDownsample(levels, 3.99), 1, 'within the 1% slack');
    assert.equal(slideLevelForDownsample(levels, 4), 1);
    assert.equal(slideLevelForDownsample(levels, 31), 1);
    assert.equal(slideLevelForDownsample(levels, 32), 2);
    assert.equal(slideLevelForDownsample(levels, 1000), 2);
  });

  it('a level-0 rectangle in a dz level, widened to whole pixels and clipped to the level', () => {
    const geometry = deepZoomGeometry(1000, 600, 254, 1);
    const finest = geometry.levels.length - 1;
    assert.deepEqual(dzRectOf(geometry, finest, { x: 10, y: 20, width: 30, height: 40 }), { dzX0: 10, dzY0: 20, dzX1: 40, dzY1: 60 });
    // Two levels down (4 level-0 pixels a dz pixel): 9..41 becomes 2..11; past the edge is clipped.
    assert.deepEqual(dzRectOf(geometry, finest - 2, { x: 9, y: -8, width: 32, height: 2000 }), { dzX0: 2, dzY0: 0, dzX1: 11, dzY1: 150 });
  });
});
