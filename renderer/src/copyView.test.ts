import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OpenedSlide } from '../../shared/ipc';
import type { SlideInfo } from '../../shared/slide';
import { type CopyContext, copyViewPlan } from './copyView';

const context = (power: number | null): CopyContext => ({
  colour: { managed: true, adjustment: { brightness: 0, contrast: 0, gamma: 1 } },
  view: { rect: { x: 10, y: 20, width: 300, height: 200 }, power },
});
const slide = (info: Partial<SlideInfo>): OpenedSlide => ({
  slideId: 's',
  info: { width: 1000, height: 1000, mpp: null, objectivePower: null, ...info } as SlideInfo,
});

test("the view at its magnification, at most the scan's; with a scale bar where the slide gives its pixel size", () => {
  const plan = copyViewPlan(slide({ objectivePower: 20, mpp: { x: 0.5, y: 0.5 } }), context(40), true);
  assert.ok('request' in plan);
  assert.deepEqual(
    { ...plan.request, colour: undefined },
    { slideId: 's', x: 10, y: 20, width: 300, height: 200, objectivePower: 20, annotations: true, scaleBar: true, colour: undefined },
  );
  const unscaled = copyViewPlan(slide({ objectivePower: 20 }), context(5), false);
  assert.ok('request' in unscaled && unscaled.request.objectivePower === 5 && unscaled.request.scaleBar === false);
});

test('no single view (the grid, side by side, no slide), or no magnification to read it at: why, and no request', () => {
  assert.deepEqual(copyViewPlan(null, context(10), false), { problem: 'needsView' });
  assert.deepEqual(copyViewPlan(slide({ objectivePower: 20 }), null, false), { problem: 'needsView' });
  assert.deepEqual(copyViewPlan(slide({}), context(null), false), { problem: 'needsScale' });
});
