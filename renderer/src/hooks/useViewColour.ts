// How one slide is shown in colour: brightness, contrast and gamma, and whether its embedded ICC
// profile is applied. Remembered per slide while it is open (its viewer is remounted when another
// tab is shown, and the grid's cells share the single view's setting), forgotten when it closes.

import { useCallback, useEffect, useState } from 'react';
import { ADJUSTMENT_RANGES, type ColourAdjustment, clampAdjustment, NEUTRAL_ADJUSTMENT } from '../../../shared/colour';

export interface ViewColour {
  adjustment: ColourAdjustment;
  /** Apply the slide's ICC profile (on by default; only meaningful when it has a usable one). */
  managed: boolean;
}

export const DEFAULT_VIEW_COLOUR: ViewColour = { adjustment: { ...NEUTRAL_ADJUSTMENT }, managed: true };

/** What the keys and the panel can ask. */
export type ColourAction =
  | { kind: 'step'; control: keyof ColourAdjustment; direction: 1 | -1 }
  | { kind: 'set'; control: keyof ColourAdjustment; value: number }
  | { kind: 'managed'; on: boolean }
  | { kind: 'reset' };

/** Per open slide id. Slide ids are never reused, so an entry outlives its slide only until forgotten. */
const remembered = new Map<string, ViewColour>();

/** Drops what is remembered of slides no longer open. */
export function forgetViewColours(openSlideIds: readonly string[]): void {
  for (const id of [...remembered.keys()]) if (!openSlideIds.includes(id)) remembered.delete(id);
}

export function applyColourAction(colour: ViewColour, action: ColourAction): ViewColour {
  switch (action.kind) {
    case 'step': {
      const value = colour.adjustment[action.control] + action.direction * ADJUSTMENT_RANGES[action.control].step;
      return { ...colour, adjustment: { ...colour.adjustment, [action.control]: clampAdjustment(action.control, value) } };
    }
    case 'set':
      return { ...colour, adjustment: { ...colour.adjustment, [action.control]: clampAdjustment(action.control, action.value) } };
    case 'managed':
      return { ...colour, managed: action.on };
    case 'reset':
      // Reset is of the adjustment: colour management is a separate choice, kept.
      return { ...colour, adjustment: { ...NEUTRAL_ADJUSTMENT } };
  }
}

export function useViewColour(slideId: string): { colour: ViewColour; act: (action: ColourAction) => void } {
  const [colour, setColour] = useState<ViewColour>(() => remembered.get(slideId) ?? DEFAULT_VIEW_COLOUR);
  useEffect(() => {
    remembered.set(slideId, colour);
  }, [slideId, colour]);
  const act = useCallback((action: ColourAction) => setColour((current) => applyColourAction(current, action)), []);
  return { colour, act };
}
