// A scale bar from the slide's µm/px. Hidden when the slide does not record its pixel size: an
// estimate from objective power alone would look more exact than it is.

import { chooseScaleBar } from '../../../shared/scale-bar';
import type { SlideInfo } from '../../../shared/slide';
import { formatNumber } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { micronsPerCssPixel } from '../viewer/magnification';

export interface ScaleBarProps {
  info: SlideInfo;
  imageZoom: number;
  /** Grid cells are smaller than the single view: a shorter bar, a smaller badge. */
  compact?: boolean;
  testId?: string;
}

export function ScaleBar({ info, imageZoom, compact = false, testId = 'scale-bar' }: ScaleBarProps) {
  const t = useT();
  if (!info.mpp || imageZoom <= 0) return null;
  const spec = chooseScaleBar(micronsPerCssPixel(info, imageZoom) ?? 0, compact ? 80 : 120, formatNumber);
  if (!spec) return null;
  return (
    <div
      className={compact ? 'scale-bar scale-bar-compact' : 'scale-bar'}
      data-testid={testId}
      role="img"
      aria-label={t('scaleBar.label', { length: spec.label })}
    >
      <div className="scale-bar-line" style={{ width: `${spec.widthPx.toFixed(1)}px` }} />
      <span className="scale-bar-label">{spec.label}</span>
    </div>
  );
}
