// The annotation tools and their keys, declared once: the toolbar, the right-click menu, the key
// handler and the Help overlay all read this table.

import type { IconName } from '../components/Icon';
import type { Tool } from './annotationSession';

export interface ToolInfo {
  tool: Tool;
  /** KeyboardEvent.key values that choose it. */
  keys: readonly string[];
  /** How the Help overlay shows the key. */
  display: string;
  label: string;
  /** The toolbar button's tooltip. */
  title: string;
  icon: IconName;
}

export const TOOL_INFO: readonly ToolInfo[] = [
  {
    tool: 'select',
    keys: ['v'],
    display: 'V',
    label: 'Select',
    title: 'Select: click to pick; drag the selected one to move it, a handle to reshape it; drag elsewhere to pan (V)',
    icon: 'select',
  },
  { tool: 'ruler', keys: ['l'], display: 'L', label: 'Ruler', title: 'Ruler: drag to measure a length (L)', icon: 'ruler' },
  { tool: 'point', keys: ['.'], display: '.', label: 'Points', title: 'Points: click to mark and count (.)', icon: 'point' },
  { tool: 'rectangle', keys: ['b'], display: 'B', label: 'Rectangle', title: 'Rectangle: drag a box (B)', icon: 'rectangle' },
  { tool: 'ellipse', keys: ['e'], display: 'E', label: 'Ellipse', title: 'Ellipse: drag its box (E)', icon: 'ellipse' },
  {
    tool: 'polygon',
    keys: ['p'],
    display: 'P',
    label: 'Polygon',
    title: 'Polygon: click each vertex; double-click, Enter or a click on the first vertex closes it (P)',
    icon: 'polygon',
  },
  { tool: 'freehand', keys: ['d'], display: 'D', label: 'Freehand', title: 'Freehand: drag to draw an outline (D)', icon: 'freehand' },
];

/** The other annotation keys and gestures, for the Help overlay. */
export const ANNOTATION_CONTROLS: ReadonlyArray<{ display: string; label: string }> = [
  { display: 'A', label: 'Show or hide the annotation list' },
  { display: 'Delete', label: 'Delete the selected annotation (while drawing a polygon: its last vertex)' },
  { display: 'Enter', label: 'Close the polygon being drawn' },
  { display: 'Esc', label: 'Cancel the shape being drawn; then deselect; then back to Select' },
  { display: 'Ctrl Z', label: 'Undo (⌘ Z on macOS)' },
  { display: 'Ctrl ⇧ Z', label: 'Redo (also Ctrl Y)' },
  { display: 'Right-click', label: 'Annotation menu: tools, class, delete' },
];

export const PANEL_KEYS: readonly string[] = ['a'];

export function toolForKey(key: string): Tool | null {
  return TOOL_INFO.find((t) => t.keys.includes(key))?.tool ?? null;
}
