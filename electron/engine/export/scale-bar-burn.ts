// A scale bar burnt into an exported image, as the viewer draws it: slides side by side, regions.

import sharp from 'sharp';
import { chooseScaleBar } from '../../../shared/scale-bar';
import type { RgbImage } from '../../../shared/slide';
import { compositeInPlace, drawable } from '../pixels';
import { renderText } from './panel-label';

const BAR_TARGET = 100;
const BAR_MARGIN = 10;

/**
 * A scale bar in the panel's bottom-left corner: a dark bar and its length on a light badge, as the
 * viewer shows it. `inPlace`: drawn into the image's own pixels (the caller's alone), else into a copy.
 */
export async function withScaleBar(image: RgbImage, micronsPerPixel: number, inPlace = false): Promise<RgbImage> {
  const spec = chooseScaleBar(micronsPerPixel, Math.min(BAR_TARGET, image.width / 3));
  if (!spec || image.width < 60 || image.height < 40) return image;
  const bar = Math.max(1, Math.round(spec.widthPx));
  const text = await renderText(spec.label, 13);
  const badgeWidth = Math.min(image.width - 2 * BAR_MARGIN, Math.max(bar, text.info.width) + 12);
  const badgeHeight = text.info.height + 16;
  const left = BAR_MARGIN;
  const top = Math.max(0, image.height - BAR_MARGIN - badgeHeight);
  const badge = await sharp({ create: { width: badgeWidth, height: badgeHeight, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 0.85 } } })
    .composite([
      { input: { create: { width: Math.min(bar, badgeWidth - 12), height: 4, channels: 4, background: '#1f2328' } }, left: 6, top: 6 },
      { input: text.data, raw: { width: text.info.width, height: text.info.height, channels: 4 }, left: 6, top: 12 },
    ])
    .png()
    .toBuffer();
  const out = drawable(image, inPlace);
  await compositeInPlace(out, { input: badge, left, top, width: badgeWidth, height: badgeHeight });
  return out;
}
