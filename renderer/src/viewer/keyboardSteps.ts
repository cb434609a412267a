// What one press of a zoom or arrow key does, the same in the single view, the grid and slides side by side.

import type { PanDirection } from '../hooks/useKeyboardShortcuts';

/** + and - zoom by this factor. */
export const ZOOM_STEP = 1.6;
/** Arrow keys move the view by this share of its size. */
const PAN_STEP = 0.15;

/** The screen pixels an arrow key moves a view of `size` by (pixels, so it follows the screen when the slide is turned). */
export function panPixels(direction: PanDirection, size: { x: number; y: number }): { x: number; y: number } {
  const dx = direction === 'left' ? -1 : direction === 'right' ? 1 : 0;
  const dy = direction === 'up' ? -1 : direction === 'down' ? 1 : 0;
  return { x: dx * size.x * PAN_STEP, y: dy * size.y * PAN_STEP };
}
