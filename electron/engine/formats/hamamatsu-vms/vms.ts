// Hamamatsu VMS and VMU (NanoZoomer's formats before NDPI): a small key file naming the slide's
// image files beside it. VMS: level 0 cut into a grid of JPEG files with restart markers, a map JPEG
// (the lowest level), and the levels OpenSlide adds by decoding those at 1/2, 1/4, 1/8 - served by
// the same Hamamatsu JPEG source as NDPI. VMU: uncompressed 12-bit NGR files, one per level.
// Recognised by content (the key file's group), as OpenSlide 3.4.1 recognises them.

import { basename, dirname, join } from 'node:path';
import type { LevelInfo, Mpp } from '../../../../shared/slide';
import { slideFormat } from '../../../../shared/slide-formats';
import { readRestartJpegHeader } from '../../codecs/jpeg-restart';
import { readJpegFrame } from '../../codecs/jpeg-stream';
import { SlideError } from '../../errors';
import { SlideFile } from '../../slide-file';
import type { SlideSource } from '../../slide-source';
import { type CompanionFile, CompanionFiles, isNameInFolder, quotedName } from '../companion-files';
import type { FormatPlugin } from '../format-plugin';
import { type HamamatsuJpegLevel, HamamatsuJpegSource, withScaledLevels } from '../hamamatsu-jpeg-source';
import { KeyFile, KeyFileError } from '../key-file';
import { NdpiJpegLevel } from '../ndpi/ndpi-jpeg-level';
import { formatDouble, parseDouble } from '../openslide-values';
import type { SlideProbe } from '../slide-probe';
import { NGR_TILE_HEIGHT, type NgrLevel, NgrSource, readNgrHeader } from './ngr-source';
import { VmsJpegGrid } from './vms-jpeg-grid';
import { readVmsKeyFile, VMS_KEY_FILE_MAX_BYTES, type VmsDescription, VmsKeyFileError, vmsKind } from './vms-key-file';

/** A JPEG header is a few KB of tables; the comment and tables must lie within this. */
const MAX_HEADER_BYTES = 256 * 1024;
const MAX_MACRO_BYTES = 32 * 1024 * 1024;

/** Key files parsed by detect(), kept for open() on the same probe. */
const parsed = new WeakMap<SlideProbe, Promise<KeyFile | null>>();

function keyFileOf(probe: SlideProbe): Promise<KeyFile | null> {
  let got = parsed.get(probe);
  if (!got) {
    got = (async () => {
      const size = probe.file.size;
      if (probe.isTiff || size > VMS_KEY_FILE_MAX_BYTES) return null;
      const bytes = size <= probe.head.length ? probe.head.subarray(0, size) : await probe.file.read(0, size, 'The key file');
      try {
        return KeyFile.parse(bytes);
      } catch (error) {
        if (error instanceof KeyFileError) return null;
        throw error;
      }
    })();
    parsed.set(probe, got);
  }
  return got;
}

export const vmsFormat: FormatPlugin = {
  info: slideFormat('hamamatsu-vms'),
  async detect(probe) {
    const kf = await keyFileOf(probe);
    return kf !== null && vmsKind(kf) !== null;
  },
  async open(probe) {
    const kf = (await keyFileOf(probe))!;
    const path = probe.path;
    let description: VmsDescription;
    try {
      description = readVmsKeyFile(kf);
    } catch (error) {
      if (error instanceof VmsKeyFileError) throw new SlideError('CORRUPT_DATA', `This Hamamatsu slide's key file is unusable: ${error.message}.`, path);
      throw error;
    }
    const label = description.kind === 'vms' ? 'VMS' : 'VMU';
    const inFolder = (name: string, role: string): CompanionFile => {
      if (!isNameInFolder(name))
        throw new SlideError('CORRUPT_DATA', `This ${label} slide names its ${role} ${quotedName(name)}, which is not a file beside it.`, path);
      return { path: join(dirname(path), name), role };
    };
    const images = description.imageFiles.map((name, i) => inFolder(name, i === description.imageFiles.length - 1 ? 'map file' : 'image file'));
    const macro = description.macroFile ? inFolder(description.macroFile, 'macro image') : null;
    const files = CompanionFiles.check(path, macro ? [...images, macro] : images, label);
    try {
      const readMacro = macro ? await checkedMacro(files, images.length, label, path) : null;
      return description.kind === 'vms' ? await openVms(probe, kf, description, files, readMacro) : await openVmu(probe, kf, description, files, readMacro);
    } catch (error) {
      files.close();
      throw error;
    }
  },
};

/** The macro JPEG's reader, after checking (as OpenSlide does when it opens the slide) that it has a frame. */
async function checkedMacro(files: CompanionFiles, index: number, label: string, path: string): Promise<() => Promise<Uint8Array>> {
  const size = files.sizes[index]!;
  if (size > MAX_MACRO_BYTES) throw new SlideError('TOO_LARGE', `This ${label} slide's macro image is ${size} bytes.`, path);
  const read = () => files.read(index, 0, size, 'The macro image');
  const frame = readJpegFrame(await read());
  if (typeof frame === 'string')
    throw new SlideError('CORRUPT_DATA', `This ${label} slide's macro image ${basename(files.path(index))} is not a readable JPEG (${frame}).`, path);
  return read;
}

async function openVms(
  probe: SlideProbe,
  kf: KeyFile,
  description: VmsDescription,
  files: CompanionFiles,
  macro: (() => Promise<Uint8Array>) | null,
): Promise<SlideSource> {
  const path = probe.path;
  const opened: SlideFile[] = [];
  const closeAll = async () => {
    for (const file of opened) file.close();
    files.close();
    probe.file.close();
  };
  try {
    let comment: string | null = null;
    const jpegs: NdpiJpegLevel[] = [];
    for (let i = 0; i < description.imageFiles.length; i++) {
      const file = SlideFile.open(files.path(i));
      opened.push(file);
      const fail = (reason: string) => new SlideError('CORRUPT_DATA', `This VMS slide's image ${basename(file.path)} ${reason}.`, path);
      const head = await file.source.readChunk(0, Math.min(file.size, MAX_HEADER_BYTES));
      const jpeg = readRestartJpegHeader(head);
      if (typeof jpeg === 'string') throw fail(`is not a readable JPEG (${jpeg})`);
      if (jpeg.components !== 3) throw fail('does not have 3 colour components');
      if (jpeg.restartInterval === 0) throw fail('has no restart markers');
      if (i === 0) comment = jpegComment(head);
      jpegs.push(
        await NdpiJpegLevel.open(file, { index: i, width: jpeg.frameWidth, height: jpeg.frameHeight, start: 0, length: file.size, recordedStarts: null }),
      );
    }
    const grid = new VmsJpegGrid(jpegs.slice(0, -1), description.columns, path);
    const views = withScaledLevels([grid, jpegs.at(-1)!]);
    const base = views[0]!.stored;
    const levels: LevelInfo[] = views.map(({ stored: s, scale }) => {
      const width = Math.floor(s.width / scale);
      const height = Math.floor(s.height / scale);
      return { width, height, downsample: (base.width / width + base.height / height) / 2, tileWidth: s.tileWidth / scale, tileHeight: s.tileHeight / scale };
    });
    const { properties, mpp, objectivePower } = hamamatsuProperties(kf, description.group, levels, views, comment);
    return new HamamatsuJpegSource({ path, format: 'hamamatsu-vms', views, levels, macro, mpp, objectivePower, properties, close: closeAll });
  } catch (error) {
    for (const file of opened) file.close();
    throw error;
  }
}

async function openVmu(
  probe: SlideProbe,
  kf: KeyFile,
  description: VmsDescription,
  files: CompanionFiles,
  macro: (() => Promise<Uint8Array>) | null,
): Promise<SlideSource> {
  const path = probe.path;
  const bits = kf.groups.get(description.group)!;
  if (bits.get('BitsPerPixel')?.trim() !== '36')
    throw new SlideError('UNSUPPORTED_FORMAT', 'This VMU slide is not of 36 bits per pixel (BitsPerPixel must be 36).', path);
  if (bits.get('PixelOrder') !== 'RGB') throw new SlideError('UNSUPPORTED_FORMAT', 'This VMU slide is not in RGB order (PixelOrder must be RGB).', path);
  const levels: NgrLevel[] = [];
  for (let i = 0; i < description.imageFiles.length; i++) levels.push(await readNgrHeader(files, i, path));
  const infos: LevelInfo[] = levels.map((l) => ({
    width: l.width,
    height: l.height,
    downsample: (levels[0]!.width / l.width + levels[0]!.height / l.height) / 2,
    tileWidth: l.columnWidth,
    tileHeight: NGR_TILE_HEIGHT,
  }));
  const { properties, mpp, objectivePower } = hamamatsuProperties(kf, description.group, infos, null, null);
  return new NgrSource(files, {
    path,
    levels,
    macro,
    mpp,
    objectivePower,
    properties,
    close: async () => {
      files.close();
      probe.file.close();
    },
  });
}

/** The first COM marker's text, up to a NUL, as OpenSlide takes it for openslide.comment. */
function jpegComment(head: Uint8Array): string | null {
  let pos = 2;
  while (pos + 4 <= head.length && head[pos] === 0xff) {
    const marker = head[pos + 1]!;
    const length = (head[pos + 2]! << 8) | head[pos + 3]!;
    if (marker === 0xda) return null;
    if (marker === 0xfe) {
      const body = head.subarray(pos + 4, Math.min(head.length, pos + 2 + length));
      const nul = body.indexOf(0);
      return new TextDecoder().decode(nul === -1 ? body : body.subarray(0, nul));
    }
    pos += 2 + length;
  }
  return null;
}

/**
 * hamamatsu.* (every key of the group, raw) and the openslide.* properties OpenSlide 3.4.1 gives a
 * VMS or VMU slide: objective power from SourceLens, MPP from PhysicalWidth/Height (nm) over level
 * 0's size, the first JPEG's comment, and each level's tile size - the restart interval, scaled.
 */
function hamamatsuProperties(
  kf: KeyFile,
  group: string,
  levels: readonly LevelInfo[],
  views: readonly HamamatsuJpegLevel[] | null,
  comment: string | null,
): { properties: Record<string, string>; mpp: Mpp | null; objectivePower: number | null } {
  const keys = kf.groups.get(group)!;
  const properties: Record<string, string> = { 'openslide.vendor': 'hamamatsu' };
  for (const [key, value] of keys) properties[`hamamatsu.${key}`] = value;
  if (comment !== null) properties['openslide.comment'] = comment;
  properties['openslide.level-count'] = String(levels.length);
  const base = levels[0]!;
  levels.forEach((level, i) => {
    const view = views?.[i];
    properties[`openslide.level[${i}].width`] = String(level.width);
    properties[`openslide.level[${i}].height`] = String(level.height);
    properties[`openslide.level[${i}].downsample`] = formatDouble(level.downsample);
    properties[`openslide.level[${i}].tile-width`] = String(view ? view.stored.intervalWidth / view.scale : level.tileWidth);
    properties[`openslide.level[${i}].tile-height`] = String(view ? view.stored.intervalHeight / view.scale : level.tileHeight);
  });
  const lens = keys.has('SourceLens') ? parseDouble(keys.get('SourceLens')!) : Number.NaN;
  if (!Number.isNaN(lens)) properties['openslide.objective-power'] = formatDouble(lens);
  // g_key_file_get_integer, 0 where it fails.
  const nm = (key: string) => {
    try {
      return kf.integer(group, key);
    } catch {
      return 0;
    }
  };
  const mppX = nm('PhysicalWidth') > 0 ? nm('PhysicalWidth') / (1000 * base.width) : null;
  const mppY = nm('PhysicalHeight') > 0 ? nm('PhysicalHeight') / (1000 * base.height) : null;
  if (mppX !== null) properties['openslide.mpp-x'] = formatDouble(mppX);
  if (mppY !== null) properties['openslide.mpp-y'] = formatDouble(mppY);
  return {
    properties,
    mpp: mppX !== null && mppY !== null ? { x: mppX, y: mppY } : null,
    objectivePower: lens > 0 ? lens : null,
  };
}
