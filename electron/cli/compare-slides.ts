// `slidescope compare A.svs B.svs [C D] --power 5 [--center X,Y] --out F.png`: different slides side
// by side at one physical scale, as the app's compare view exports them. The centre is a level-0
// pixel of the first slide; the others are centred on the same physical point, moved and turned as
// the alignment file (--alignment) says. The scale is the first slide's µm per pixel at --power: the
// panels of a 20x and a 40x scan then cover the same µm.

import { resolve } from 'node:path';
import type { ExportColour } from '../../shared/colour';
import { centresOf, NO_PLACEMENT, type PhysicalSlide, type Placement, type Point, physicalSlide, toWorld } from '../../shared/compare-geometry';
import { fail, type Result } from '../../shared/errors';
import { sideBySideProblem } from '../../shared/export-plan';
import { downsampleForPower, formatPower, mppAtDownsample } from '../../shared/magnification';
import type { ImageFormat } from '../../shared/operations';
import type { SlideInfo, SlideShown } from '../../shared/slide';
import { readAlignmentFile } from '../compare/alignment-file';
import { centreOutside, type Engine } from './commands';
import { writeSlideWarnings } from './slide-warnings';

export interface CompareSlidesArgs {
  power: number;
  /** Level-0 pixel of the first slide; null: its middle. */
  center: Point | null;
  panel: { width: number; height: number };
  /** An alignment file (docs/compare.md). */
  alignment?: string | undefined;
  format: ImageFormat;
  out: string;
  overwrite: boolean;
  /** The slides' ICC profiles to sRGB (undefined) or not. */
  colour?: ExportColour | undefined;
  /** The fluorescence slides' channels and plane as chosen (--channels, --plane). */
  shown?: SlideShown | undefined;
}

interface Opened {
  slideId: string;
  info: SlideInfo;
}

/** Opens every slide (all or none: the ones opened are closed when one fails), runs `work`, closes them. */
async function withSlides<T>(
  engine: Engine,
  paths: readonly string[],
  shown: SlideShown | undefined,
  work: (slides: Opened[]) => Promise<Result<T>>,
): Promise<Result<T>> {
  const opened: Opened[] = [];
  try {
    for (const path of paths) {
      const slide = await engine.open(resolve(path), null, shown);
      if (!slide.ok) return slide;
      writeSlideWarnings(slide.value.info.path, slide.value.info.warnings);
      opened.push(slide.value);
    }
    return await work(opened);
  } finally {
    await Promise.all(opened.map((s) => engine.close(s.slideId)));
  }
}

/** Writes the panels side by side into args.out; answers its path, or why not (naming the slide at fault). */
export async function runCompareSlides(engine: Engine, paths: readonly string[], args: CompareSlidesArgs): Promise<Result<string>> {
  const absolute = paths.map((p) => resolve(p));
  // The alignment is read (and refused) before any slide is opened.
  const placements: Result<Placement[]> = args.alignment
    ? await readAlignmentFile(resolve(args.alignment), absolute)
    : { ok: true, value: absolute.map(() => NO_PLACEMENT) };
  if (!placements.ok) return placements;
  return withSlides(engine, absolute, args.shown, async (slides) => {
    const first = slides[0]!.info;
    const scales = slides.map((s) => physicalSlide(s.info));
    const missing = slides.findIndex((_, i) => scales[i] === null);
    if (missing >= 0) return fail('INVALID_ARGUMENT', sideBySideProblem(slides[missing]!.info, 1)!, slides[missing]!.info.path);
    const downsample = downsampleForPower(first, args.power);
    const micronsPerPixel = downsample === null ? null : mppAtDownsample(first, downsample);
    if (micronsPerPixel === null) return fail('INVALID_ARGUMENT', `${formatPower(args.power)} is not a magnification ${first.name} can give.`, first.path);
    for (const { info } of slides) {
      const problem = sideBySideProblem(info, micronsPerPixel);
      if (problem) return fail('INVALID_ARGUMENT', `${formatPower(args.power)} of ${first.name}: ${problem}`, info.path);
    }
    const center = args.center ?? { x: first.width / 2, y: first.height / 2 };
    const outside = centreOutside(center, first);
    if (outside) return fail('INVALID_ARGUMENT', outside, first.path);
    const world = toWorld(scales[0]!, placements.value[0]!, center);
    const centres = centresOf(scales as PhysicalSlide[], placements.value, world);
    const written = await engine.call('engine:export-side-by-side', {
      panels: slides.map((s, i) => ({
        slideId: s.slideId,
        centerX: centres[i]!.x,
        centerY: centres[i]!.y,
        rotation: placements.value[i]!.rotation,
        colour: args.colour,
      })),
      micronsPerPixel,
      panelWidth: args.panel.width,
      panelHeight: args.panel.height,
      path: resolve(args.out),
      format: args.format,
      overwrite: args.overwrite,
    });
    return written.ok ? { ok: true, value: written.value.files[0] ?? resolve(args.out) } : written;
  });
}
