// The side-by-side export in the engine: refusals before any pixel is read (a slide without µm/px,
// a scale finer than a scan, panels too large together), an existing file kept, and a turned panel
// that is the slide turned.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import sharp from 'sharp';
import { validateRequest } from '../../../shared/operations';
import { openSlide } from '../../../testing/open-slide';
import { sharedSlide } from '../../../testing/paths';
import { compareRgb } from '../../../testing/pixel-compare';
import { SlideEngine } from '../engine';
import { toRaw } from '../pixels';

const out = mkdtempSync(join(tmpdir(), 'slidescope-side-by-side-'));
const engine = new SlideEngine();
after(async () => {
  await engine.closeAll();
  rmSync(out, { recursive: true, force: true });
});

async function refusal(work: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  await assert.rejects(work, (error: { code?: string; message?: string }) => {
    assert.equal(error.code, code);
    assert.match(error.message ?? '', pattern);
    return true;
  });
}

describe('engine:export-side-by-side', () => {
  it('refuses before reading: no µm/px, finer than a scan, too many pixels; keeps an existing file', async () => {
    const cmu = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const boxes = await openSlide(engine, sharedSlide('openslide-python_boxes.tiff'));
    const base = { micronsPerPixel: 2, panelWidth: 64, panelHeight: 64, format: 'png' as const, overwrite: false };
    const panel = (slideId: string) => ({ slideId, centerX: 1000, centerY: 1000, rotation: 0 });
    const path = join(out, 'never.png');
    await refusal(
      engine.writeSideBySide({ ...base, panels: [panel(cmu.slideId), panel(boxes.slideId)], path }),
      'INVALID_ARGUMENT',
      /openslide-python_boxes\.tiff records no pixel size/,
    );
    await refusal(
      engine.writeSideBySide({ ...base, micronsPerPixel: 0.25, panels: [panel(cmu.slideId), panel(cmu.slideId)], path }),
      'INVALID_ARGUMENT',
      /0\.25 µm\/px is finer than CMU-1-Small-Region\.svs's scan \(0\.50 µm\/px at best\)/,
    );
    // Four 4096-pixel panels turned 45° would read 4 x 5793² pixels: refused before any is read.
    const large = { ...panel(cmu.slideId), rotation: 45 };
    await refusal(
      engine.writeSideBySide({ ...base, panelWidth: 4096, panelHeight: 4096, panels: [large, large, large, large], path }),
      'TOO_LARGE',
      /would read 128 megapixels, more than the 64/,
    );
    assert.equal(existsSync(path), false);
    const taken = join(out, 'taken.png');
    writeFileSync(taken, 'mine');
    await refusal(engine.writeSideBySide({ ...base, panels: [panel(cmu.slideId), panel(cmu.slideId)], path: taken }), 'EXISTS', /exists/);
    // The request's contract: 2 to 4 panels, finite rotations.
    const one = validateRequest('engine:export-side-by-side', { ...base, panels: [panel(cmu.slideId)], path });
    assert.equal(one.ok, false);
    if (!one.ok) assert.match(one.error.message, /panels must have 2 to 4 entries/);
    const spun = validateRequest('engine:export-side-by-side', { ...base, panels: [panel(cmu.slideId), { ...panel(cmu.slideId), rotation: 1e9 }], path });
    assert.equal(spun.ok, false);
    if (!spun.ok) assert.match(spun.error.message, /panels\[1\]\.rotation must be at most 360/);
  });

  it('a turned panel is the slide turned about the panel centre', async () => {
    const cmu = await openSlide(engine, sharedSlide('CMU-1-Small-Region.svs'));
    const path = join(out, 'turned.png');
    await engine.writeSideBySide({
      micronsPerPixel: 0.998,
      panelWidth: 200,
      panelHeight: 120,
      format: 'png',
      overwrite: false,
      path,
      panels: [
        { slideId: cmu.slideId, centerX: 1100, centerY: 1500, rotation: 0 },
        { slideId: cmu.slideId, centerX: 1100, centerY: 1500, rotation: -90 },
      ],
    });
    const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const crop = (left: number) => {
      const pixels = new Uint8Array(200 * 120 * 3);
      for (let y = 0; y < 120; y++) pixels.set(data.subarray(((8 + y) * info.width + left) * 3, ((8 + y) * info.width + left + 200) * 3), y * 600);
      return { data: pixels, width: 200, height: 120, channels: 3 };
    };
    // The unturned panel read as 120 x 200 around the same centre, turned a quarter counter-clockwise.
    const read = await engine.readScaledRegion({ slideId: cmu.slideId, x: 1100 - 120, y: 1500 - 200, width: 240, height: 400, outWidth: 120, outHeight: 200 });
    const turned = await toRaw(sharp(read.data, { raw: { width: 120, height: 200, channels: 3 } }).rotate(-90));
    const beside = (x: number, y: number) => !(x < 160 && y > 60);
    assert.equal(compareRgb(crop(8 + 200 + 8), turned, 0, beside).maxDiff, 0);
  });
});
