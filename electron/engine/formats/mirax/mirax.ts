// 3DHistech MIRAX: a `.mrxs` key file and, beside it, a folder of the same name holding
// Slidedat.ini (the slide's description), Index.dat (where each image is) and the Data*.dat files
// (the images, the camera positions, the associated images). The key file's content is opaque:
// OpenSlide 3.4.1 recognises the slide by its name (ending ".mrxs", not a TIFF), and so does this
// plugin, so that a slide whose folder or files are missing is told so by name rather than being
// "not a slide". Levels, placement and properties follow OpenSlide's openslide-vendor-mirax.c.

import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { slideFormat } from '../../../../shared/slide-formats';
import { readJpegFrame } from '../../codecs/jpeg-stream';
import { SlideError } from '../../errors';
import { poolCall } from '../../pool-reads';
import { SlideFile } from '../../slide-file';
import { CompanionFiles, isNameInFolder, quotedName } from '../companion-files';
import type { FormatPlugin } from '../format-plugin';
import { KeyFile, KeyFileError } from '../key-file';
import { formatDouble } from '../openslide-values';
import { SlideProbe } from '../slide-probe';
import { dataFolderOf, EXTENSION, keyFileOfDataFolder, SLIDEDAT } from './mirax-files';
import { MiraxIndex, MiraxIndexError, type MiraxRecord } from './mirax-index';
import { type CameraPositions, layOutMirax, MiraxLayoutError, type MiraxLevel } from './mirax-layout';
import { type MiraxSlidedat, MiraxSlidedatError, readMiraxSlidedat } from './mirax-slidedat';
import { MiraxSource } from './mirax-source';

/** OpenSlide's SLIDEDAT_MAX_SIZE. */
const SLIDEDAT_MAX_BYTES = 1 << 20;
const INDEX_MAX_BYTES = 256 * 1024 * 1024;
const POSITION_RECORD_BYTES = 9;
const MAX_POSITION_BYTES = 64 * 1024 * 1024;
const MAX_ASSOCIATED_BYTES = 32 * 1024 * 1024;

export const miraxFormat: FormatPlugin = {
  info: slideFormat('mirax'),
  async detect(probe) {
    return probe.name.toLowerCase().endsWith(EXTENSION) && !probe.isTiff;
  },
  async open(probe) {
    return openMirax(probe);
  },
  async openFolder(folder) {
    const key = await keyFileOfFolder(folder);
    if (key === null) return null;
    const file = SlideFile.open(key);
    try {
      return await openMirax(await SlideProbe.of(file));
    } catch (error) {
      file.close();
      throw error;
    }
  },
};

/**
 * The .mrxs a dropped folder stands for: the slide's own data folder (its key file beside it, of the
 * same name), or a folder holding one .mrxs; several are named for the user to pick one.
 */
async function keyFileOfFolder(folder: string): Promise<string | null> {
  const beside = await keyFileOfDataFolder(folder);
  if (beside !== null) return beside;
  const keys: string[] = [];
  for (const name of (await poolCall(readdir(folder)).catch(() => [] as string[])).sort()) {
    if (!name.startsWith('.') && name.toLowerCase().endsWith(EXTENSION) && (await poolCall(stat(join(folder, name))).catch(() => null))?.isFile())
      keys.push(name);
  }
  if (keys.length <= 1) return keys.length === 1 ? join(folder, keys[0]!) : null;
  throw new SlideError(
    'SEVERAL_SLIDES',
    `The folder holds ${keys.length} MIRAX slides: ${keys.join('; ')}. Open one of them.`,
    folder,
    keys.map((name) => ({ path: join(folder, name), name })),
  );
}

async function openMirax(probe: SlideProbe): Promise<MiraxSource> {
  const path = probe.path;
  const folder = dataFolderOf(path);
  const corrupt = (reason: string) => new SlideError('CORRUPT_DATA', `This MIRAX slide ${reason}.`, path);
  const missing = (what: string, where: string) => new SlideError('NOT_FOUND', `The MIRAX slide's ${what} is missing: ${where} does not exist.`, path);

  const folderInfo = await poolCall(stat(folder)).catch(() => null);
  if (!folderInfo?.isDirectory()) throw missing(`folder ${basename(folder)}`, folder);
  const slidedatPath = join(folder, SLIDEDAT);
  const slidedatInfo = await poolCall(stat(slidedatPath)).catch(() => null);
  if (!slidedatInfo?.isFile()) throw missing(SLIDEDAT, slidedatPath);
  if (slidedatInfo.size > SLIDEDAT_MAX_BYTES) throw corrupt(`has a ${SLIDEDAT} of ${slidedatInfo.size} bytes, more than one can be`);
  let slidedat: MiraxSlidedat;
  let keyFile: KeyFile;
  try {
    keyFile = KeyFile.parse(await poolCall(readFile(slidedatPath)));
    slidedat = readMiraxSlidedat(keyFile);
  } catch (error) {
    if (error instanceof KeyFileError || error instanceof MiraxSlidedatError) throw corrupt(`has an unusable ${SLIDEDAT}: ${error.message}`);
    throw error;
  }

  const fileIn = (name: string, role: string) => {
    if (!isNameInFolder(name)) throw corrupt(`names its ${role} ${quotedName(name)}, which is not a file in its folder`);
    return { path: join(folder, name), role };
  };
  const indexFile = CompanionFiles.check(path, [fileIn(slidedat.indexFile, 'index file')], 'MIRAX');
  const dataFiles = CompanionFiles.check(
    path,
    slidedat.dataFiles.map((name) => fileIn(name, 'data file')),
    'MIRAX',
  );
  const indexSize = indexFile.sizes[0]!;
  if (indexSize > INDEX_MAX_BYTES) throw new SlideError('TOO_LARGE', `This MIRAX slide's index is ${indexSize} bytes.`, path);
  const indexBytes = await indexFile.read(0, 0, indexSize, 'The index').finally(() => indexFile.close());

  try {
    const index = MiraxIndex.open(indexBytes, slidedat.slideId, slidedat.dataFiles.length);
    const positions = await cameraPositions(slidedat, index, dataFiles, path);
    const associated = new Map<string, MiraxRecord>();
    for (const [name, record] of [
      ['macro', slidedat.macroRecord],
      ['label', slidedat.labelRecord],
      ['thumbnail', slidedat.thumbnailRecord],
    ] as const) {
      if (record === -1) continue;
      const where = index.nonhierRecord(record);
      if (where.length > MAX_ASSOCIATED_BYTES) throw new SlideError('TOO_LARGE', `This MIRAX slide's ${name} image is ${where.length} bytes.`, path);
      const frame = readJpegFrame(await dataFiles.read(where.fileno, where.offset, where.length, `The ${name} image`));
      if (typeof frame === 'string') throw corrupt(`cannot read its ${name} image (${frame})`);
      associated.set(name, where);
    }
    const levels = layOutMirax(slidedat, index.zoomLevelRecords(slidedat.zoomLevels.length), positions);
    const level0 = slidedat.zoomLevels[0]!;
    return new MiraxSource(probe.file, dataFiles, {
      levels,
      associated,
      mpp: level0.mppX > 0 && level0.mppY > 0 ? { x: level0.mppX, y: level0.mppY } : null,
      objectivePower: slidedat.objective > 0 ? slidedat.objective : null,
      properties: { ...miraxProperties(keyFile), ...openSlideMiraxProperties(slidedat, levels) },
    });
  } catch (error) {
    dataFiles.close();
    if (error instanceof MiraxIndexError) throw corrupt(`has an unusable index: ${error.message}`);
    if (error instanceof MiraxLayoutError)
      throw error.tooLarge ? new SlideError('TOO_LARGE', `This MIRAX slide is too large: ${error.message}.`, path) : corrupt(error.message);
    throw error;
  }
}

/**
 * The camera positions, from the VIMSLIDE_POSITION_BUFFER record (9 bytes a photo: a flag, x, y)
 * or the zlib-compressed StitchingIntensityLayer; null when the slide records none.
 */
async function cameraPositions(s: MiraxSlidedat, index: MiraxIndex, data: CompanionFiles, path: string): Promise<CameraPositions> {
  const record = s.vimslidePositionRecord !== -1 ? s.vimslidePositionRecord : s.stitchingPositionRecord;
  if (record === -1) return null;
  const count = Math.trunc(s.imagesX / s.divisions) * Math.trunc(s.imagesY / s.divisions);
  const expected = POSITION_RECORD_BYTES * count;
  if (expected > MAX_POSITION_BYTES) throw new SlideError('TOO_LARGE', `This MIRAX slide declares ${count} camera positions.`, path);
  const where = index.nonhierRecord(record);
  const fail = (reason: string) => new SlideError('CORRUPT_DATA', `This MIRAX slide's camera positions are unusable: ${reason}.`, path);
  let buffer: Uint8Array;
  if (record === s.stitchingPositionRecord) {
    if (where.length > MAX_POSITION_BYTES) throw fail(`the compressed record is ${where.length} bytes`);
    const compressed = await data.read(where.fileno, where.offset, where.length, 'The record of camera positions');
    try {
      buffer = inflateSync(compressed, { maxOutputLength: Math.max(1, expected) });
    } catch (error) {
      throw fail(`they do not decompress to ${expected} bytes (${error instanceof Error ? error.message : String(error)})`);
    }
    if (buffer.length !== expected) throw fail(`Short read while decompressing: ${buffer.length}/${expected}`);
  } else {
    if (where.length !== expected) throw fail('Slide position file not of the expected size');
    buffer = await data.read(where.fileno, where.offset, where.length, 'The record of camera positions');
  }
  const concat0 = 2 ** s.zoomLevels[0]!.concatExponent;
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const positions = new Int32Array(2 * count);
  for (let i = 0; i < count; i++) {
    const flag = buffer[POSITION_RECORD_BYTES * i]!;
    if (flag & 0xfe) throw fail(`Unexpected flag value (${(flag << 24) >> 24})`);
    positions[2 * i] = view.getInt32(POSITION_RECORD_BYTES * i + 1, true) * concat0;
    positions[2 * i + 1] = view.getInt32(POSITION_RECORD_BYTES * i + 5, true) * concat0;
  }
  return positions;
}

/** mirax.GROUP.KEY for every key of Slidedat.ini, raw. */
function miraxProperties(kf: KeyFile): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [group, keys] of kf.groups) for (const [key, value] of keys) properties[`mirax.${group}.${key}`] = value;
  return properties;
}

/** The openslide.* properties OpenSlide 3.4.1 gives a MIRAX slide. */
function openSlideMiraxProperties(s: MiraxSlidedat, levels: readonly MiraxLevel[]): Record<string, string> {
  const level0 = s.zoomLevels[0]!;
  const properties: Record<string, string> = { 'openslide.vendor': 'mirax', 'openslide.level-count': String(levels.length) };
  // Tile size hints only when every level has one.
  const hinted = levels.every((l) => l.hint !== null);
  levels.forEach((level, i) => {
    properties[`openslide.level[${i}].width`] = String(level.width);
    properties[`openslide.level[${i}].height`] = String(level.height);
    properties[`openslide.level[${i}].downsample`] = formatDouble(level.downsample);
    if (hinted) {
      properties[`openslide.level[${i}].tile-width`] = String(level.hint!.width);
      properties[`openslide.level[${i}].tile-height`] = String(level.hint!.height);
    }
  });
  // An empty grid's bounds are all 0.
  const bounds = levels[0]!.grid.bounds() ?? { x: 0, y: 0, width: 0, height: 0 };
  properties['openslide.bounds-x'] = String(Math.floor(bounds.x));
  properties['openslide.bounds-y'] = String(Math.floor(bounds.y));
  properties['openslide.bounds-width'] = String(Math.ceil(bounds.x + bounds.width) - Math.floor(bounds.x));
  properties['openslide.bounds-height'] = String(Math.ceil(bounds.y + bounds.height) - Math.floor(bounds.y));
  const hex = (v: number) => v.toString(16).toUpperCase().padStart(2, '0');
  properties['openslide.background-color'] = hex((level0.fillRgb >> 16) & 0xff) + hex((level0.fillRgb >> 8) & 0xff) + hex(level0.fillRgb & 0xff);
  properties['openslide.objective-power'] = String(s.objective);
  properties['openslide.mpp-x'] = formatDouble(level0.mppX);
  properties['openslide.mpp-y'] = formatDouble(level0.mppY);
  return properties;
}
