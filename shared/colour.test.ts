// The view's colour curve, shared by the viewer's SVG filter and the exports, and the export
// requests' colour option as the operation table checks it.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ADJUSTMENT_RANGES, adjustmentTable, clampAdjustment, isNeutral, NEUTRAL_ADJUSTMENT, transferFunction } from './colour';
import { validateRequest } from './operations';

describe('colour adjustment', () => {
  it('neutral is the identity; the curve is gamma, then contrast about mid-grey, then brightness', () => {
    assert.ok(isNeutral(NEUTRAL_ADJUSTMENT));
    assert.deepEqual(transferFunction(NEUTRAL_ADJUSTMENT), { amplitude: 1, exponent: 1, offset: 0 });
    assert.deepEqual(
      adjustmentTable(NEUTRAL_ADJUSTMENT),
      Uint8Array.from({ length: 256 }, (_, i) => i),
    );
    // Contrast pivots on mid-grey; brightness shifts; gamma above 1 lifts the midtones only.
    const contrast = adjustmentTable({ brightness: 0, contrast: 2, gamma: 1 });
    assert.deepEqual([contrast[0], contrast[64], contrast[128], contrast[192], contrast[255]], [0, 0, 128, 255, 255]);
    assert.deepEqual(Array.from(adjustmentTable({ brightness: 0.2, contrast: 1, gamma: 1 }).subarray(0, 3)), [51, 52, 53]);
    const gamma = adjustmentTable({ brightness: 0, contrast: 1, gamma: 2 });
    assert.deepEqual([gamma[0], gamma[64], gamma[255]], [0, Math.floor(255 * Math.sqrt(64 / 255)), 255]);
    // Monotonic for every setting the controls allow.
    for (const brightness of [-0.5, 0, 0.5]) {
      for (const contrast of [0.25, 1, 4]) {
        for (const g of [0.25, 1, 4]) {
          const table = adjustmentTable({ brightness, contrast, gamma: g });
          for (let i = 1; i < 256; i++) assert.ok(table[i]! >= table[i - 1]!, `${brightness}/${contrast}/${g} at ${i}`);
        }
      }
    }
  });

  it('keys and sliders stay in range, in hundredths', () => {
    assert.equal(clampAdjustment('brightness', 0.7), ADJUSTMENT_RANGES.brightness.max);
    assert.equal(clampAdjustment('contrast', 0), ADJUSTMENT_RANGES.contrast.min);
    assert.equal(clampAdjustment('gamma', 1.1 + 0.05), 1.15);
  });

  it('export requests: the colour option is optional, its values bounded', () => {
    const base = { slideId: 's1', spec: { kind: 'size', longestSide: 100 }, format: 'png' };
    assert.equal(validateRequest('export:thumbnail', base).ok, true);
    assert.equal(validateRequest('export:thumbnail', { ...base, colour: { managed: false } }).ok, true);
    const adjustment = { brightness: 0.1, contrast: 1.2, gamma: 0.9 };
    const good = validateRequest('export:comparison', {
      slideId: 's1',
      powers: [1.25],
      mode: { kind: 'slide' },
      format: 'png',
      colour: { managed: true, adjustment },
    });
    assert.ok(good.ok);
    assert.deepEqual(good.value.colour, { managed: true, adjustment });
    for (const [colour, fragment] of [
      [{}, 'managed is missing'],
      [{ managed: 'yes' }, 'true or false'],
      [{ managed: true, adjustment: { ...adjustment, contrast: 5 } }, 'at most 4'],
      [{ managed: true, adjustment: { ...adjustment, brightness: Number.NaN } }, 'finite|number'],
      [{ managed: true, adjustment: { brightness: 0 } }, 'missing'],
      [{ managed: true, extra: 1 }, 'extra'],
    ] as const) {
      const result = validateRequest('export:thumbnail', { ...base, colour });
      assert.equal(result.ok, false, JSON.stringify(colour));
      if (!result.ok) assert.match(result.error.message, new RegExp(fragment), JSON.stringify(colour));
    }
    const engineRegion = {
      slideId: 's1',
      x: 0,
      y: 0,
      width: 10,
      height: 10,
      at: { kind: 'level', level: 0 },
      path: '/tmp/r.png',
      format: 'png',
      overwrite: false,
      colour: { managed: true, adjustment },
    };
    assert.equal(validateRequest('engine:export-region', engineRegion).ok, true);
  });
});
