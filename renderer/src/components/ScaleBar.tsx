// A scale bar from the slide's µm/px. Hidden when the slide does not record its pixel size: an
// estimate from objective power alone would look more exact than it is.

import type { SlideInfo } from '../../../shared/slide';
import { micronsPerCssPixel } from '../viewer/magnification';
import { chooseScaleBar } from '../viewer/scaleBar';

export function ScaleBar({ info, imageZoom }: { info: SlideInfo; imageZoom: number }) {
  if (!info.mpp || imageZoom <= 0) return null;
  const spec = chooseScaleBar(micronsPerCssPixel(info, imageZoom) ?? 0);
  if (!spec) return null;
  return (
    <div className="scale-bar" data-testid="scale-bar" aria-label={`Scale: the bar is ${spec.label} long`}>
      <div className="scale-bar-line" style={{ width: `${spec.widthPx.toFixed(1)}px` }} />
      <span className="scale-bar-label">{spec.label}</span>
    </div>
  );
}
