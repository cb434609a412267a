// A shared slide resampled to another pixel size and written as a generic tiled TIFF pyramid (JPEG,
// resolution tags in centimetres, as OpenSlide's generic-tiff reads µm/px): the same tissue as its
// source at another scan resolution, for comparing slides of different µm/px side by side.

import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { SlideEngine } from '../../electron/engine/engine';
import type { WrittenSlide } from '../../electron/synth/slides';
import { openSlide } from '../open-slide';
import { sharedSlide } from '../paths';

export interface ResampledOptions {
  /** A file of the shared slides folder. */
  source: string;
  /** Output pixels per source pixel (0.5: half the resolution, twice the µm/px). */
  scale: number;
}

export async function writeResampled(path: string, options: ResampledOptions): Promise<WrittenSlide> {
  const engine = new SlideEngine();
  try {
    const { slideId, info } = await openSlide(engine, sharedSlide(options.source));
    if (!info.mpp) throw new Error(`${options.source} has no µm/px to resample from`);
    const width = Math.round(info.width * options.scale);
    const height = Math.round(info.height * options.scale);
    const image = await engine.readScaledRegion({ slideId, x: 0, y: 0, width: info.width, height: info.height, outWidth: width, outHeight: height });
    const mpp = info.mpp.x / options.scale;
    const pixelsPerMm = 1000 / mpp;
    await sharp(image.data, { raw: { width, height, channels: image.channels } })
      .tiff({
        tile: true,
        tileWidth: 256,
        tileHeight: 256,
        pyramid: true,
        compression: 'jpeg',
        quality: 90,
        xres: pixelsPerMm,
        yres: pixelsPerMm,
        resolutionUnit: 'cm',
      })
      .toFile(path);
    return { path, width, height, levels: [{ width, height }], associated: {}, fileSize: (await stat(path)).size };
  } finally {
    await engine.closeAll();
  }
}
