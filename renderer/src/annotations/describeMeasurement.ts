// A shape's measurement in words, for the label beside it and the annotation list.

import { measureShape } from '../../../shared/annotation-geometry';
import type { Shape } from '../../../shared/annotations';
import type { Mpp } from '../../../shared/slide';
import { formatArea, formatLength } from '../i18n/format';
import { t } from '../i18n/i18n';

/** "Length 123.4 µm", "Area 0.1234 mm² · Perimeter 1.235 mm", "3 points" (pixels when the slide has no scale). */
export function describeMeasurement(shape: Shape, mpp: Mpp | null): string {
  const m = measureShape(shape, mpp);
  if (m.length !== undefined) return t('annotations.length', { length: formatLength(m.length, m.unit) });
  if (m.area !== undefined) return t('annotations.area', { area: formatArea(m.area, m.unit), perimeter: formatLength(m.perimeter ?? 0, m.unit) });
  return t('annotations.points', { count: m.count ?? 0 });
}
