// The annotation tools and their keys, declared once: the toolbar, the right-click menu, the key
// handler and the Help overlay all read this table.

import type { PlainKey, Translate } from '../../../shared/i18n/catalogue';
import type { ControlRow } from '../commands';
import type { IconName } from '../components/Icon';
import type { Tool } from './annotationSession';

export interface ToolInfo {
  tool: Tool;
  /** KeyboardEvent.key values that choose it. */
  keys: readonly string[];
  /** How the Help overlay shows the key. */
  display: string;
  label: PlainKey;
  /** The toolbar button's tooltip. */
  title: PlainKey;
  icon: IconName;
}

export const TOOL_INFO: readonly ToolInfo[] = [
  {
    tool: 'select',
    keys: ['v'],
    display: 'V',
    label: 'tools.select',
    title: 'tools.selectTitle',
    icon: 'select',
  },
  { tool: 'ruler', keys: ['l'], display: 'L', label: 'tools.ruler', title: 'tools.rulerTitle', icon: 'ruler' },
  { tool: 'point', keys: ['.'], display: '.', label: 'tools.point', title: 'tools.pointTitle', icon: 'point' },
  { tool: 'rectangle', keys: ['b'], display: 'B', label: 'tools.rectangle', title: 'tools.rectangleTitle', icon: 'rectangle' },
  { tool: 'ellipse', keys: ['e'], display: 'E', label: 'tools.ellipse', title: 'tools.ellipseTitle', icon: 'ellipse' },
  {
    tool: 'polygon',
    keys: ['p'],
    display: 'P',
    label: 'tools.polygon',
    title: 'tools.polygonTitle',
    icon: 'polygon',
  },
  { tool: 'freehand', keys: ['d'], display: 'D', label: 'tools.freehand', title: 'tools.freehandTitle', icon: 'freehand' },
];

/** The other annotation keys and gestures, for the Help overlay. */
export const ANNOTATION_CONTROLS: readonly ControlRow[] = [
  { display: 'keys.a', label: 'controls.annotationList' },
  { display: 'keys.delete', label: 'controls.annotationDelete' },
  { display: 'keys.enter', label: 'controls.annotationEnter' },
  { display: 'keys.shiftEnter', label: 'controls.annotationShiftEnter' },
  { display: 'keys.enter', label: 'controls.detectionEnter' },
  { display: 'keys.esc', label: 'controls.annotationEscape' },
  { display: 'keys.ctrlZ', label: 'controls.annotationUndo' },
  { display: 'keys.ctrlShiftZ', label: 'controls.annotationRedo' },
  { display: 'keys.rightClick', label: 'controls.annotationMenu' },
];

/** The Help overlay's rows for the tools: each tooltip less its "(V)", which the key column already shows. */
export function toolHelpRows(t: Translate): { display: string; label: string }[] {
  return TOOL_INFO.map((info) => {
    const title = t(info.title);
    const key = ` (${info.display})`;
    return { display: info.display, label: title.endsWith(key) ? title.slice(0, -key.length) : title };
  });
}

export const PANEL_KEYS: readonly string[] = ['a'];

export function toolForKey(key: string): Tool | null {
  return TOOL_INFO.find((t) => t.keys.includes(key))?.tool ?? null;
}
