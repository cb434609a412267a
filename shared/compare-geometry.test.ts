// The physical placement that links compared slides: µm centres and zoom across slides of different
// pixel sizes, offsets and rotations.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  centresOf,
  fitMicronsPerPixel,
  fromWorld,
  imageZoomFor,
  micronsPerPixelAt,
  moveBy,
  NO_PLACEMENT,
  normaliseDegrees,
  type PhysicalSlide,
  type Point,
  rotateAbout,
  toWorld,
  worldBounds,
} from './compare-geometry';

/** A 20x scan (0.5 µm/px) and a 40x scan of the same 10 x 8 mm of tissue (0.25 µm/px). */
const AT_20X: PhysicalSlide = { width: 20_000, height: 16_000, mpp: { x: 0.5, y: 0.5 } };
const AT_40X: PhysicalSlide = { width: 40_000, height: 32_000, mpp: { x: 0.25, y: 0.25 } };

function close(actual: Point, expected: Point, tolerance = 1e-6): void {
  assert.ok(
    Math.abs(actual.x - expected.x) <= tolerance && Math.abs(actual.y - expected.y) <= tolerance,
    `${JSON.stringify(actual)} ≈ ${JSON.stringify(expected)}`,
  );
}

describe('compared slides in one physical plane', () => {
  it('slides of different µm/px line up: the same µm centre is a different level-0 point', () => {
    const world = toWorld(AT_20X, NO_PLACEMENT, { x: 1000, y: 2000 });
    close(world, { x: 500, y: 1000 });
    const [a, b] = centresOf([AT_20X, AT_40X], [NO_PLACEMENT, NO_PLACEMENT], world);
    close(a!, { x: 1000, y: 2000 });
    close(b!, { x: 2000, y: 4000 });
  });

  it('the same µm per screen pixel is a different image zoom: 20x and 40x scans show the same field', () => {
    // 2 µm per CSS pixel (5x): a 20x scan is drawn at 1/4, a 40x scan at 1/8.
    assert.equal(imageZoomFor(AT_20X, 2), 0.25);
    assert.equal(imageZoomFor(AT_40X, 2), 0.125);
    assert.equal(micronsPerPixelAt(AT_40X, 0.125), 2);
    // A 500 CSS px panel covers 1000 µm on both: 2000 and 4000 level-0 pixels.
    assert.equal((500 / imageZoomFor(AT_20X, 2)) * AT_20X.mpp.x, (500 / imageZoomFor(AT_40X, 2)) * AT_40X.mpp.x);
  });

  it('an offset moves a slide in µm: its content appears that far along', () => {
    const moved = moveBy(NO_PLACEMENT, { x: 100, y: -50 });
    assert.deepEqual(moved.offset, { x: 100, y: -50 });
    // The 40x slide moved 100 µm right: at a world point, it shows what was 100 µm to the left.
    close(fromWorld(AT_40X, moved, { x: 600, y: 950 }), { x: 2000, y: 4000 });
    close(toWorld(AT_40X, moved, { x: 2000, y: 4000 }), { x: 600, y: 950 });
  });

  it('a rotation turns a slide clockwise about its centre; toWorld and fromWorld are inverses', () => {
    const turned = { offset: { x: 0, y: 0 }, rotation: 90 };
    // The centre stays; a point right of the centre goes below it (clockwise with y down).
    close(toWorld(AT_20X, turned, { x: 10_000, y: 8000 }), { x: 5000, y: 4000 });
    close(toWorld(AT_20X, turned, { x: 12_000, y: 8000 }), { x: 5000, y: 5000 });
    const placement = { offset: { x: 123.4, y: -56.7 }, rotation: 33.3 };
    for (const p of [
      { x: 0, y: 0 },
      { x: 39_999, y: 17 },
      { x: -500, y: 40_000 },
    ])
      close(fromWorld(AT_40X, placement, toWorld(AT_40X, placement, p)), p, 1e-6);
  });

  it('rotating about the view centre keeps the slide point under it', () => {
    const start = { offset: { x: 40, y: 10 }, rotation: 5 };
    const centre = { x: 1234, y: 2345 };
    const before = fromWorld(AT_40X, start, centre);
    const after = rotateAbout(AT_40X, start, centre, 10);
    assert.equal(after.rotation, 15);
    close(fromWorld(AT_40X, after, centre), before, 1e-6);
    // Elsewhere the slide has turned: a point 100 µm right of the centre is now another slide point.
    const right = { x: centre.x + 100, y: centre.y };
    assert.ok(
      Math.hypot(fromWorld(AT_40X, after, right).x - fromWorld(AT_40X, start, right).x, fromWorld(AT_40X, after, right).y - fromWorld(AT_40X, start, right).y) >
        10,
    );
  });

  it('angles are kept in (-180, 180]', () => {
    assert.equal(normaliseDegrees(190), -170);
    assert.equal(normaliseDegrees(-180), 180);
    assert.equal(normaliseDegrees(540), 180);
    assert.equal(normaliseDegrees(-30), -30);
    assert.equal(rotateAbout(AT_20X, { offset: { x: 0, y: 0 }, rotation: 175 }, { x: 0, y: 0 }, 10).rotation, -175);
  });

  it('a slide with different x and y pixel sizes maps each axis with its own', () => {
    const anisotropic: PhysicalSlide = { width: 1000, height: 1000, mpp: { x: 0.5, y: 0.25 } };
    close(toWorld(anisotropic, NO_PLACEMENT, { x: 100, y: 100 }), { x: 50, y: 25 });
    close(fromWorld(anisotropic, NO_PLACEMENT, { x: 50, y: 25 }), { x: 100, y: 100 });
  });

  it('the slides together cover a world rectangle; a slide fits a panel at a µm per pixel', () => {
    const bounds = worldBounds([AT_20X, AT_40X], [NO_PLACEMENT, { offset: { x: 1000, y: 0 }, rotation: 90 }]);
    // The 40x slide (10 x 8 mm) turned a quarter about its centre (5000, 4000) is 8 x 10 mm, from (1000, -1000), moved 1 mm right.
    close({ x: bounds.x, y: bounds.y }, { x: 0, y: -1000 });
    close({ x: bounds.width, y: bounds.height }, { x: 10_000, y: 10_000 });
    assert.equal(fitMicronsPerPixel(AT_20X, { width: 1000, height: 400 }), 20);
  });
});
