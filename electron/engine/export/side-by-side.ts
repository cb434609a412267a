// Compared slides' field of view as one labelled image: each slide's panel read at the same µm per
// pixel around its own level-0 centre, turned by its alignment's rotation, with a scale bar, then
// the panels side by side, each labelled with the slide's name and magnification. The app's export
// and the CLI's `compare A B` both come here; where each panel is centred they worked out with
// shared/compare-geometry.ts.

import { sideBySideProblem } from '../../../shared/export-plan';
import { LIMITS } from '../../../shared/limits';
import { formatMpp, formatPower, powerAtDownsample } from '../../../shared/magnification';
import type { ExportStep, ImageFormat } from '../../../shared/operations';
import type { RgbImage, SlideInfo } from '../../../shared/slide';
import { SlideError } from '../errors';
import { copyRect, sharpFrom, toRaw } from '../pixels';
import { writeFileAtomic } from './atomic-file';
import { composeComparison } from './comparison';
import { encodeImage } from './encode-image';
import type { ExportPixels } from './exports';
import { withScaleBar } from './scale-bar-burn';

export interface SideBySidePanel {
  slideId: string;
  info: SlideInfo;
  /** Level-0 point at the panel's centre. */
  centerX: number;
  centerY: number;
  /** Clockwise degrees the slide is turned in the view. */
  rotation: number;
  /** The slide's pixels as the user sees them (its ICC profile, the view's adjustment). */
  applyColour: (image: RgbImage) => Promise<RgbImage>;
}

export interface SideBySideField {
  micronsPerPixel: number;
  panelWidth: number;
  panelHeight: number;
}

export interface SideBySideOptions {
  format: ImageFormat;
  overwrite: boolean;
  signal?: AbortSignal | undefined;
  onProgress?: ((step: ExportStep) => void) | undefined;
}

/** Output pixels read for a panel: a turned panel needs the square around it. */
function readSize(field: SideBySideField, rotation: number): { width: number; height: number } {
  const r = (rotation * Math.PI) / 180;
  const cos = Math.abs(Math.cos(r));
  const sin = Math.abs(Math.sin(r));
  // Within a thousandth of a right angle the rounding of cos/sin must not grow the read by a pixel.
  const snap = (v: number) => (v < 1e-9 ? 0 : v > 1 - 1e-9 ? 1 : v);
  const w = field.panelWidth;
  const h = field.panelHeight;
  return { width: Math.ceil(w * snap(cos) + h * snap(sin)), height: Math.ceil(w * snap(sin) + h * snap(cos)) };
}

async function readPanel(engine: ExportPixels, panel: SideBySidePanel, field: SideBySideField, signal: AbortSignal | undefined): Promise<RgbImage> {
  const downsample = field.micronsPerPixel / panel.info.mpp!.x;
  const size = readSize(field, panel.rotation);
  const width = size.width * downsample;
  const height = size.height * downsample;
  const read = await engine.readScaledRegion(
    {
      slideId: panel.slideId,
      x: panel.centerX - width / 2,
      y: panel.centerY - height / 2,
      width,
      height,
      outWidth: size.width,
      outHeight: size.height,
    },
    { signal },
  );
  const image = await panel.applyColour(read);
  if (size.width === field.panelWidth && size.height === field.panelHeight && panel.rotation % 360 === 0) return image;
  // Turned about its centre as the viewer draws it (clockwise), then the panel cut from the middle.
  const turned = await toRaw(sharpFrom(image).rotate(panel.rotation, { background: '#ffffff' }).removeAlpha());
  const left = Math.max(0, Math.round((turned.width - field.panelWidth) / 2));
  const top = Math.max(0, Math.round((turned.height - field.panelHeight) / 2));
  const out: RgbImage = {
    data: new Uint8Array(field.panelWidth * field.panelHeight * 3).fill(255),
    width: field.panelWidth,
    height: field.panelHeight,
    channels: 3,
  };
  copyRect(turned, left, top, Math.min(field.panelWidth, turned.width - left), Math.min(field.panelHeight, turned.height - top), out, 0, 0);
  return out;
}

/** "HE.svs · 5x · 2.00 µm/px": the slide's own power at this scale (a 40x scan and a 20x scan may differ slightly). */
function sideBySideLabel(info: SlideInfo, micronsPerPixel: number): string {
  const power = powerAtDownsample(info, micronsPerPixel / (info.mpp?.x ?? micronsPerPixel));
  return [info.name, ...(power === null ? [] : [formatPower(power)]), formatMpp(micronsPerPixel)].join(' · ');
}

/** Reads every panel, composes them side by side and writes one image (nothing when any panel fails). */
export async function exportSideBySide(
  engine: ExportPixels,
  panels: readonly SideBySidePanel[],
  field: SideBySideField,
  outPath: string,
  options: SideBySideOptions,
): Promise<string> {
  for (const panel of panels) {
    const problem = sideBySideProblem(panel.info, field.micronsPerPixel);
    if (problem) throw new SlideError('INVALID_ARGUMENT', problem, panel.info.path);
  }
  // Bounded before anything is read: what each panel reads (a turned one reads more).
  const pixels = panels.reduce((sum, panel) => {
    const size = readSize(field, panel.rotation);
    return sum + size.width * size.height;
  }, 0);
  if (pixels > LIMITS.maxComparisonPixels)
    throw new SlideError(
      'TOO_LARGE',
      `These panels would read ${Math.round(pixels / 2 ** 20)} megapixels, more than the ${LIMITS.maxComparisonPixels / 2 ** 20} a comparison may: choose smaller panels.`,
      panels[0]?.info.path,
    );
  const total = panels.length + 1;
  const labelled: Array<{ image: RgbImage; label: string }> = [];
  for (const [i, panel] of panels.entries()) {
    options.onProgress?.({ done: i, total, label: panel.info.name });
    const image = await readPanel(engine, panel, field, options.signal);
    labelled.push({ image: await withScaleBar(image, field.micronsPerPixel), label: sideBySideLabel(panel.info, field.micronsPerPixel) });
  }
  options.onProgress?.({ done: panels.length, total, label: 'side-by-side' });
  const composite = await composeComparison(labelled, panels.length);
  await writeFileAtomic(outPath, await encodeImage(composite, options.format), options.overwrite);
  options.onProgress?.({ done: total, total, label: 'done' });
  return outPath;
}
