// A test-only writer of Trestle (MedScan) slides as OpenSlide 3.4.1 reads them
// (src/openslide-vendor-trestle.c): a tiled TIFF whose Software starts "MedScan" and whose
// ImageDescription is "name=value" pairs separated by ';' (trestle.* properties), among them
// "OverlapsXY= x0 y0 x1 y1 ..." - by how many pixels each level's tiles overlap their neighbours
// (each tile is a camera frame) - and "Background Color=RRGGBB". Every directory is a level. The
// macro is a JPEG beside the TIFF, named with ".Full" for its extension.
//
// Tiles are painted from the tissue painter at their place on the glass (tile - overlap apart),
// with an edge of their own colour, so which tile a reader draws on top in an overlap shows.

import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { resizeArea } from '../../electron/synth/image-ops';
import { hash2 } from '../../electron/synth/random';
import { type WrittenSlide, writeAtomically } from '../../electron/synth/slides';
import { TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec } from '../../electron/synth/tile-codecs';
import { TissuePainter } from '../../electron/synth/tissue';

export interface TrestleOptions {
  /** Level 0's tiles across and down. */
  tilesAcross: number;
  tilesDown: number;
  tileSize: number;
  /** Per level, the overlap between neighbouring tiles (x, y), in that level's pixels. */
  overlaps: ReadonlyArray<readonly [number, number]>;
  /** Pixels cut off the last column and row of level 0 (an image not whole tiles). */
  trimX?: number;
  trimY?: number;
  objectivePower: number;
  /** Microns per pixel, written (as Trestle does) in the resolution tags. */
  mpp: number;
  background: string;
  macro: boolean;
  seed: number;
}

/** The macro's path: the slide's with ".Full" for its extension. */
export function trestleMacroPath(path: string): string {
  return `${path.replace(/\.[^./]*$/, '')}.Full`;
}

export async function writeTrestle(path: string, options: TrestleOptions): Promise<WrittenSlide> {
  const { tileSize: tile, seed } = options;
  const [ox0, oy0] = options.overlaps[0] ?? [0, 0];
  const stageW = options.tilesAcross * (tile - ox0) + ox0;
  const stageH = options.tilesDown * (tile - oy0) + oy0;
  const painter = new TissuePainter({ width: stageW, height: stageH, seed });
  const codec = await createCodec({ kind: 'jpeg', quality: 90, photometric: 'ycbcr', chroma: '4:2:0' });

  // Level k: tiles (tile - overlap) apart on the glass reduced 2^k; the image as wide as its tiles side by side.
  const levels = options.overlaps.map(([ox, oy], k) => {
    const scale = 2 ** k;
    const across = Math.max(1, Math.ceil(options.tilesAcross / scale));
    const down = Math.max(1, Math.ceil(options.tilesDown / scale));
    const width = across * tile - (k === 0 ? (options.trimX ?? 0) : 0);
    const height = down * tile - (k === 0 ? (options.trimY ?? 0) : 0);
    return { k, scale, ox, oy, across, down, width, height };
  });

  const description = [
    `Objective Power=${options.objectivePower}`,
    `OverlapsXY= ${options.overlaps.map(([x, y]) => `${x} ${y}`).join(' ')}`,
    `Background Color=${options.background}`,
    `Scanner Name=Slidescope test ${seed}`,
    ' Spaced Key = a value with spaces ',
  ].join(';');

  if (options.macro) {
    const overview = resizeArea(
      { data: painter.render(0, 0, stageW, stageH), width: stageW, height: stageH },
      300,
      Math.max(1, Math.round((300 * stageH) / stageW)),
    );
    const label = makeLabel({ seed, lines: ['TRESTLE', `SEED ${seed}`] });
    const macro = makeMacro({ width: 600, height: 200, overview, slideWidth: stageW, slideHeight: stageH, mpp: options.mpp, label });
    await writeFile(
      trestleMacroPath(path),
      await sharp(macro.data, { raw: { width: macro.width, height: macro.height, channels: 3 } })
        .jpeg({ quality: 85 })
        .toBuffer(),
    );
  }

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp);
    try {
      const images = levels.map((l) =>
        writer.addImage({
          width: l.width,
          height: l.height,
          compression: codec.compression,
          photometric: codec.photometric,
          layout: { kind: 'tiles', tileWidth: tile, tileHeight: tile },
          software: 'MedScan 2.0 (Slidescope test writer)',
          ...(l.k === 0 ? { description } : { description: '' }),
          jpegTables: codec.jpegTables,
          ycbcrSubsampling: codec.ycbcrSubsampling,
          newSubfileType: l.k === 0 ? 0 : 1,
          // Trestle's own use of these tags: microns per pixel, whatever the unit says.
          resolution: { x: [Math.round(options.mpp * 2 ** l.k * 10000), 10000], y: [Math.round(options.mpp * 2 ** l.k * 10000), 10000], unit: 1 },
        }),
      );
      for (const l of levels) {
        const stride = tile * 3;
        for (let row = 0; row < l.down; row++) {
          for (let col = 0; col < l.across; col++) {
            // A frame of this level: the glass at level-0 scale, reduced.
            const block = new Uint8Array(tile * tile * 3);
            const x0 = col * (tile - l.ox) * l.scale;
            const y0 = row * (tile - l.oy) * l.scale;
            const full = painter.render(x0, y0, tile * l.scale, tile * l.scale);
            const reduced = l.scale === 1 ? full : resizeArea({ data: full, width: tile * l.scale, height: tile * l.scale }, tile, tile).data;
            block.set(reduced);
            frameEdge(block, stride, tile, hash2(col + 100 * l.k, row, seed));
            await writer.writeChunk(images[l.k]!, row * l.across + col, await codec.encode(block, tile, tile));
          }
        }
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    const widthOf = (l: (typeof levels)[number]) => (l.width >= tile ? l.width - (l.across - 1) * l.ox : l.width);
    const heightOf = (l: (typeof levels)[number]) => (l.height >= tile ? l.height - (l.down - 1) * l.oy : l.height);
    return {
      width: widthOf(levels[0]!),
      height: heightOf(levels[0]!),
      levels: levels.map((l) => ({ width: widthOf(l), height: heightOf(l) })),
      associated: {},
    };
  });
}

/** A frame's 2-pixel edge in a colour of its own. */
function frameEdge(data: Uint8Array, stride: number, tile: number, hash: number): void {
  const colour = [64 + (hash & 127), 64 + ((hash >>> 8) & 127), 64 + ((hash >>> 16) & 127)];
  for (let y = 0; y < tile; y++) {
    for (let x = 0; x < tile; x++) {
      if (x >= 2 && y >= 2 && x < tile - 2 && y < tile - 2) continue;
      data.set(colour, y * stride + x * 3);
    }
  }
}
