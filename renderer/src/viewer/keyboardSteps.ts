// What one press of a zoom or arrow key does, the same in the single view, the grid and slides side by side.

import type { PanDirection } from '../hooks/useKeyboardShortcuts';

/** + and - zoom by this factor. */
export const ZOOM_STEP = 1.6;
/** Arrow keys move the view by this share of its size. */
const PAN_STEP = 0.15;
/** Shift + an arrow on a compared slide's panel moves that slide by this many CSS pixels: fine enough to line up cells. */
const NUDGE_PX = 10;

function unit(direction: PanDirection): { x: number; y: number } {
  return { x: direction === 'left' ? -1 : direction === 'right' ? 1 : 0, y: direction === 'up' ? -1 : direction === 'down' ? 1 : 0 };
}

/** The screen pixels an arrow key moves a view of `size` by (pixels, so it follows the screen when the slide is turned). */
export function panPixels(direction: PanDirection, size: { x: number; y: number }): { x: number; y: number } {
  const d = unit(direction);
  return { x: d.x * size.x * PAN_STEP, y: d.y * size.y * PAN_STEP };
}

/** The screen pixels Shift + an arrow key moves one compared slide by, as a Shift-drag that far would. */
export function nudgePixels(direction: PanDirection): { x: number; y: number } {
  const d = unit(direction);
  return { x: d.x * NUDGE_PX, y: d.y * NUDGE_PX };
}
