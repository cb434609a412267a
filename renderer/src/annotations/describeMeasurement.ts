// A shape's measurement in words, for the label beside it and the annotation list.

import { formatArea, formatLength, measureShape } from '../../../shared/annotation-geometry';
import type { Shape } from '../../../shared/annotations';
import type { Mpp } from '../../../shared/slide';
import { fillText } from './fillText';

const TEXT = {
  length: 'Length {length}',
  area: 'Area {area} · Perimeter {perimeter}',
  onePoint: '1 point',
  points: '{count} points',
};

/** "Length 123.4 µm", "Area 0.1234 mm² · Perimeter 1.235 mm", "3 points" (pixels when the slide has no scale). */
export function describeMeasurement(shape: Shape, mpp: Mpp | null): string {
  const m = measureShape(shape, mpp);
  if (m.length !== undefined) return fillText(TEXT.length, { length: formatLength(m.length, m.unit) });
  if (m.area !== undefined) return fillText(TEXT.area, { area: formatArea(m.area, m.unit), perimeter: formatLength(m.perimeter ?? 0, m.unit) });
  return m.count === 1 ? TEXT.onePoint : fillText(TEXT.points, { count: m.count ?? 0 });
}
