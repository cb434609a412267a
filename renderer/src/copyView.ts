// Edit > Copy View as Image: what the single view shows, as the Region export makes it (at the view's
// magnification, at most the scan's; with the annotations and a scale bar, in the view's colour).

import { type ColourAdjustment, exportColour } from '../../shared/colour';
import type { LevelZeroRect } from '../../shared/export-plan';
import type { CopyRegionRequest, OpenedSlide } from '../../shared/ipc';
import { powerAtDownsample } from '../../shared/magnification';

/** What the copy needs of the viewer's ExportContext: the view and how it shows colour. */
export interface CopyContext {
  colour: { managed: boolean; adjustment: ColourAdjustment };
  view: { rect: LevelZeroRect | null; power: number | null } | null;
}

export type CopyPlan = { request: CopyRegionRequest } | { problem: 'needsView' | 'needsScale' };

/** `context` null: no single view (the grid, slides side by side, no slide). */
export function copyViewPlan(slide: OpenedSlide | null, context: CopyContext | null, annotated: boolean): CopyPlan {
  const rect = context?.view?.rect;
  if (!slide || !context?.view || !rect) return { problem: 'needsView' };
  const native = powerAtDownsample(slide.info, 1);
  const power = context.view.power;
  if (power === null || native === null) return { problem: 'needsScale' };
  return {
    request: {
      slideId: slide.slideId,
      ...rect,
      objectivePower: Math.min(power, native),
      colour: exportColour(context.colour, true),
      annotations: annotated,
      scaleBar: slide.info.mpp !== null,
    },
  };
}
