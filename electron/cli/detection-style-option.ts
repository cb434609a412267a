// --detection-style outline|fill[:OPACITY]: how --detections draws QuPath's detections, as the app's
// detection panel offers (outlined or filled under the outline; the layer's opacity, 0.1 to 1); their
// nuclei are drawn as the app first shows them. Also how a batch's recipe names it.

import { DEFAULT_DETECTION_DRAWING, DETECTION_STYLES, type DetectionDrawing, type DetectionStyle } from '../../shared/detections';
import { UsageError } from './usage-error';

export function detectionStyleOption(value: string | undefined, detections: string | undefined): DetectionDrawing | undefined {
  if (value === undefined) return undefined;
  if (detections === undefined) throw new UsageError('--detection-style says how --detections FILE is drawn: give that too.');
  const [style, opacityText, ...rest] = value.split(':');
  if (!DETECTION_STYLES.includes(style as DetectionStyle) || rest.length > 0)
    throw new UsageError(`--detection-style must be ${DETECTION_STYLES.join(' or ')}, with :OPACITY from 0.1 to 1 if wanted (got "${value}").`);
  const opacity = opacityText === undefined ? 1 : Number(opacityText);
  // A decimal as a person writes it ("0.6", ".5", "1"): Number would also take "0x1" and "1e0".
  if ((opacityText !== undefined && !/^(\d+\.?\d*|\.\d+)$/.test(opacityText)) || opacity < 0.1 || opacity > 1)
    throw new UsageError(`--detection-style's opacity must be a number from 0.1 to 1 (got "${opacityText}").`);
  return { ...DEFAULT_DETECTION_DRAWING, style: style as DetectionStyle, opacity };
}

/** The option as a recipe or a report names it; none where the drawing is the default. */
export function detectionStyleText(drawing: DetectionDrawing | undefined): string[] {
  if (!drawing || (drawing.style === DEFAULT_DETECTION_DRAWING.style && drawing.opacity === DEFAULT_DETECTION_DRAWING.opacity)) return [];
  return [`--detection-style ${drawing.style}${drawing.opacity === 1 ? '' : `:${drawing.opacity}`}`];
}
