// The engine's launch warm-up slide (electron/engine-host/open-warm-up.ts): a two-level Aperio slide
// with its thumbnail, label and macro, all empty, so that opening it reads what opening a slide reads,
// in a few ms. Stored as bytes in electron/engine-host/open-warm-up-slide.ts by
// scripts/make-warm-up-slide.ts, so that the engine process need not write TIFF (nor load this
// generator) at every launch.

import { Compression, Photometric, TiffWriter } from './tiff-writer';

const TILE = 256;
const LIBRARY = 'Aperio Image Library v11.2.1 ';
/** An empty JPEG (SOI, EOI): opening reads no tile, and the router's process loads no codec to make one. */
const EMPTY_JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xd9);

/** Writes the warm-up slide to `path`. */
export async function writeWarmUpSlide(path: string): Promise<void> {
  const writer = await TiffWriter.create(path);
  try {
    const base = { width: 2048, height: 1536 };
    const meta = '|AppMag = 20|MPP = 0.5|Filename = warm-up';
    const level = (width: number, height: number) =>
      writer.addImage({
        width,
        height,
        compression: Compression.JPEG,
        photometric: Photometric.RGB,
        layout: { kind: 'tiles', tileWidth: TILE, tileHeight: TILE },
        newSubfileType: width === base.width ? 0 : 1,
        description: `${LIBRARY}\r\n${base.width}x${base.height} [0,0 ${base.width}x${base.height}] (${TILE}x${TILE})${width === base.width ? '' : ` -> ${width}x${height}`} JPEG/RGB Q=80${meta}`,
      });
    const strips = (width: number, height: number, description: string, newSubfileType: number) =>
      writer.addImage({
        width,
        height,
        compression: Compression.JPEG,
        photometric: Photometric.RGB,
        layout: { kind: 'strips', rowsPerStrip: height },
        newSubfileType,
        description: `${LIBRARY}\n${description}`,
      });
    // In Aperio's order: level 0, the thumbnail, the other levels, the label, the macro.
    const images = [
      level(base.width, base.height),
      strips(256, 192, `${base.width}x${base.height} -> 256x192 - ${meta}`, 0),
      level(512, 384),
      strips(128, 128, 'label 128x128', 1),
      strips(256, 96, 'macro 256x96', 9),
    ];
    for (const image of images) {
      const { width, height, layout } = image.spec;
      const count = layout.kind === 'tiles' ? Math.ceil(width / TILE) * Math.ceil(height / TILE) : 1;
      for (let i = 0; i < count; i++) await writer.writeChunk(image, i, EMPTY_JPEG);
    }
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
