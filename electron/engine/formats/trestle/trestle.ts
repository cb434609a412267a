// Trestle (MedScan): a tiled TIFF whose Software starts "MedScan" and whose ImageDescription is
// "name=value" pairs separated by ';' - trestle.* properties, the objective power, the background
// colour and "OverlapsXY= x0 y0 x1 y1 ...", by how much each level's tiles overlap. Every directory
// is a level, its size less the overlaps. The macro is a JPEG beside the TIFF, with ".Full" for its
// extension. As OpenSlide 3.4.1's openslide-vendor-trestle.c reads it; recognised by content (its
// ".tif" is generic TIFF's too).

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Mpp } from '../../../../shared/slide';
import { slideFormat } from '../../../../shared/slide-formats';
import { decodeJpegImage } from '../../codecs/jpeg-image';
import { decodeError, leftOutWarning, SlideError } from '../../errors';
import { poolCall } from '../../pool-reads';
import type { FormatPlugin } from '../format-plugin';
import { formatDouble, parseDouble, parseInteger } from '../openslide-values';
import { TiffPyramidSource } from '../tiff-pyramid-source';
import { type TrestleLevel, type TrestleMacro, TrestleSource } from './trestle-source';

const SOFTWARE = 'MedScan';
const OVERLAPS = 'OverlapsXY=';
const BACKGROUND = 'Background Color=';
const MAX_MACRO_BYTES = 32 * 1024 * 1024;
const MAX_MACRO_PIXELS = 64 * 1024 * 1024;

export const trestleFormat: FormatPlugin = {
  info: slideFormat('trestle'),
  async detect(probe) {
    const tiff = await probe.tiff();
    const first = tiff?.directories[0];
    return first?.tags.Software?.startsWith(SOFTWARE) === true && first.description !== undefined && tiff!.directories.every((d) => d.tiled);
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const path = tiff.path;
    const description = tiff.directories[0]!.description!;
    const { properties, overlaps } = readDescription(description);

    const layout: TrestleLevel[] = tiff.directories.map((dir, i) => {
      const [overlapX, overlapY] = overlaps[i] ?? [0, 0];
      if (overlapX >= dir.blockWidth || overlapY >= dir.blockHeight || overlapX < 0 || overlapY < 0) {
        throw new SlideError('CORRUPT_DATA', `Level ${i}'s tiles of ${dir.blockWidth} x ${dir.blockHeight} overlap by ${overlapX} x ${overlapY} pixels.`, path);
      }
      // There are one fewer overlaps than tiles along each side.
      const width = dir.width >= dir.blockWidth ? dir.width - (dir.blocksAcross - 1) * overlapX : dir.width;
      const height = dir.height >= dir.blockHeight ? dir.height - (dir.blocksDown - 1) * overlapY : dir.height;
      return {
        width,
        height,
        imageWidth: dir.width,
        imageHeight: dir.height,
        tileWidth: dir.blockWidth,
        tileHeight: dir.blockHeight,
        tilesAcross: dir.blocksAcross,
        tilesDown: dir.blocksDown,
        overlapX,
        overlapY,
      };
    });

    // Trestle keeps microns per pixel in the resolution tags, whatever their unit.
    const first = tiff.directories[0]!;
    const resolution = (value: number | undefined) => (value === undefined ? undefined : formatDouble(value));
    const tiffProperties: Record<string, string> = {};
    for (const [name, value] of Object.entries(first.tags)) tiffProperties[`tiff.${name}`] = value;
    const xRes = resolution(first.xResolution);
    const yRes = resolution(first.yResolution);
    if (xRes !== undefined) tiffProperties['tiff.XResolution'] = xRes;
    if (yRes !== undefined) tiffProperties['tiff.YResolution'] = yRes;
    const mppX = xRes === undefined ? Number.NaN : parseDouble(xRes);
    const mppY = yRes === undefined ? Number.NaN : parseDouble(yRes);
    const mpp: Mpp | null = mppX > 0 && mppY > 0 ? { x: mppX, y: mppY } : null;
    const objective = properties['trestle.Objective Power'] === undefined ? null : parseInteger(properties['trestle.Objective Power']);

    const pyramid = await TiffPyramidSource.create(tiff, {
      format: 'trestle',
      vendor: 'trestle',
      levels: tiff.directories,
      associated: new Map(),
      objectivePower: objective !== null && objective > 0 ? objective : null,
      mpp,
      properties,
    });
    const all: Record<string, string> = { ...tiffProperties, ...properties, 'openslide.vendor': 'trestle', 'openslide.comment': description };
    const hinted = layout.every((l) => l.overlapX === 0 && l.overlapY === 0);
    all['openslide.level-count'] = String(layout.length);
    layout.forEach((l, i) => {
      all[`openslide.level[${i}].width`] = String(l.width);
      all[`openslide.level[${i}].height`] = String(l.height);
      all[`openslide.level[${i}].downsample`] = formatDouble((layout[0]!.width / l.width + layout[0]!.height / l.height) / 2);
      // Tile sizes would mislead where tiles overlap: OpenSlide gives none then.
      if (hinted) {
        all[`openslide.level[${i}].tile-width`] = String(l.tileWidth);
        all[`openslide.level[${i}].tile-height`] = String(l.tileHeight);
      }
    });
    if (objective !== null) all['openslide.objective-power'] = String(objective);
    if (!Number.isNaN(mppX)) all['openslide.mpp-x'] = formatDouble(mppX);
    if (!Number.isNaN(mppY)) all['openslide.mpp-y'] = formatDouble(mppY);
    return new TrestleSource(pyramid, layout, all, await macroOf(path));
  },
};

/**
 * trestle.* from the description's "name=value" pairs (both sides trimmed), the background colour,
 * and each level's overlaps from "OverlapsXY= x0 y0 x1 y1 ..." (space-separated after the name).
 */
function readDescription(description: string): { properties: Record<string, string>; overlaps: Array<[number, number]> } {
  const properties: Record<string, string> = {};
  let overlaps: Array<[number, number]> = [];
  for (const part of description.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1) properties[`trestle.${part.slice(0, eq).trim()}`] = part.slice(eq + 1).trim();
    if (part.startsWith(OVERLAPS)) {
      // g_strsplit on single spaces, the name first; an empty field (two spaces) reads as 0.
      const values = part.split(' ').slice(1).map(leadingUnsigned);
      overlaps = Array.from({ length: Math.floor(values.length / 2) }, (_, i) => [values[2 * i]!, values[2 * i + 1]!]);
    } else if (part.startsWith(BACKGROUND)) {
      const match = /^[ \t\n\v\f\r]*\+?([0-9a-fA-F]+)/.exec(part.slice(BACKGROUND.length));
      const bg = match ? Number.parseInt(match[1]!.slice(-6), 16) : 0;
      const hex = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');
      properties['openslide.background-color'] = hex((bg >> 16) & 0xff) + hex((bg >> 8) & 0xff) + hex(bg & 0xff);
    }
  }
  return { properties, overlaps };
}

/** g_ascii_strtoull's leading digits (0 when there are none), kept to what a level's overlap can be. */
function leadingUnsigned(text: string): number {
  const match = /^[ \t\n\v\f\r]*\+?(\d+)/.exec(text);
  return match ? Math.min(Number(match[1]), 2 ** 31 - 1) : 0;
}

/**
 * The macro beside the slide ("<name>.Full"), when there is a readable JPEG; OpenSlide ignores a bad
 * one, which is said here (`leftOut`) as the file is there but damaged.
 */
async function macroOf(path: string): Promise<TrestleMacro> {
  const dot = path.lastIndexOf('.');
  const macroPath = `${dot > path.lastIndexOf('/') ? path.slice(0, dot) : path}.Full`;
  const info = await poolCall(stat(macroPath)).catch(() => null);
  const none = {
    names: [],
    leftOut: [],
    read: (name: string) => Promise.reject(new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, path)),
  };
  if (!info?.isFile() || info.size > MAX_MACRO_BYTES) return none;
  const read = async () => decodeJpegImage(new Uint8Array(await poolCall(readFile(macroPath))), null, null, MAX_MACRO_PIXELS);
  const failure = await read().then(
    () => null,
    (error: unknown) => decodeError(error, `The macro image ${basename(macroPath)}`, path),
  );
  // Said only where it is damage: one too large to be a macro, or of a kind not read here, is not.
  if (failure) return { ...none, leftOut: [leftOutWarning(failure)].filter((w) => w !== null) };
  return {
    names: ['macro'],
    leftOut: [],
    read: async (name) => {
      if (name !== 'macro') return none.read(name);
      try {
        return await read();
      } catch (error) {
        throw decodeError(error, 'The macro image', path);
      }
    },
  };
}
