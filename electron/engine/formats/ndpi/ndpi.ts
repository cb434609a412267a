// Hamamatsu NDPI (NanoZoomer): a TIFF-like file marked by tag 65420 whose pyramid levels are single
// JPEGs with restart markers, the source lens (objective) in tag 65421 - positive for a level, -1
// for the macro image - and further properties in tag 65449. Levels, properties and the levels
// decoded at 1/2, 1/4, 1/8 scale follow OpenSlide 3.4.1's reader (openslide-vendor-hamamatsu.c).

import type { LevelInfo, Mpp } from '../../../../shared/slide';
import { slideFormat } from '../../../../shared/slide-formats';
import { leftOutWarning, SlideError } from '../../errors';
import { DOUBLE_PROPERTY_TAGS, PROPERTY_TAGS, RESOLUTION_UNIT_TAG, tiffProperties, tiffTagProperties } from '../../tiff/tiff-properties';
import type { FormatPlugin } from '../format-plugin';
import { HamamatsuJpegSource, withScaledLevels } from '../hamamatsu-jpeg-source';
import { openSlideProperties } from '../openslide-properties';
import type { SlideProbe } from '../slide-probe';
import { NdpiJpegLevel } from './ndpi-jpeg-level';
import { fixNdpiOffset, type NdpiDirectories, type NdpiDirectory, readNdpiDirectories } from './ndpi-tiff';

const Tag = {
  ImageWidth: 256,
  ImageLength: 257,
  StripOffsets: 273,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  XResolution: 282,
  YResolution: 283,
  ResolutionUnit: 296,
  SourceLens: 65421,
  XOffset: 65422,
  YOffset: 65423,
  FocalPlane: 65424,
  McuStarts: 65426,
  Reference: 65427,
  McuStartsHighBytes: 65432,
  PropertyMap: 65449,
} as const;

const CENTIMETER = 3;

/** Directories read by detect(), kept for open() on the same probe. */
const parsed = new WeakMap<SlideProbe, Promise<NdpiDirectories | null>>();

function directoriesOf(probe: SlideProbe): Promise<NdpiDirectories | null> {
  let got = parsed.get(probe);
  if (!got) {
    got = probe.isTiff ? readNdpiDirectories(probe.file, probe.head) : Promise.resolve(null);
    parsed.set(probe, got);
  }
  return got;
}

export const ndpiFormat: FormatPlugin = {
  info: slideFormat('hamamatsu-ndpi'),
  async detect(probe) {
    return (await directoriesOf(probe)) !== null;
  },
  async open(probe) {
    const { directories, warnings: chainWarnings } = (await directoriesOf(probe))!;
    const { file } = probe;
    const warnings = [...chainWarnings];
    const fail = (dir: NdpiDirectory, reason: string) => new SlideError('CORRUPT_DATA', `Image directory ${dir.index}: ${reason}.`, file.path);
    const required = async (dir: NdpiDirectory, tag: number, name: string) => {
      const value = await dir.number(tag);
      if (value === null) throw fail(dir, `it has no ${name}`);
      return value;
    };

    const stored: NdpiJpegLevel[] = [];
    let macro: { start: number; length: number } | null = null;
    let minWidth = Number.POSITIVE_INFINITY;
    for (const dir of directories) {
      try {
        const width = await required(dir, Tag.ImageWidth, 'width');
        const height = await required(dir, Tag.ImageLength, 'height');
        const rowsPerStrip = await required(dir, Tag.RowsPerStrip, 'rows per strip');
        const start = fixNdpiOffset(dir.offset, await required(dir, Tag.StripOffsets, 'strip offset'));
        const length = await required(dir, Tag.StripByteCounts, 'strip byte count');
        const lens = await required(dir, Tag.SourceLens, 'source lens (objective)');
        if (rowsPerStrip !== height) throw fail(dir, `it has ${rowsPerStrip} rows per strip, not its height (${height})`);
        if (lens > 0) {
          // Other focal planes of a z-stack are not levels.
          if ((await dir.number(Tag.FocalPlane)) !== 0) continue;
          if (width >= minWidth) throw new SlideError('UNSUPPORTED_FORMAT', 'Its pyramid levels are not in the order NDPI stores them.', file.path);
          stored.push(await NdpiJpegLevel.open(file, { index: dir.index, width, height, start, length, recordedStarts: await recordedStarts(dir) }));
          minWidth = width;
        } else if (lens === -1 && macro === null) {
          if (start + length > file.size) throw fail(dir, 'its macro image lies beyond the end of the file: the file is truncated');
          macro = { start, length };
        }
      } catch (error) {
        // A damaged directory after the first level (its data cut off, a tag's values past the end) is
        // left out and said, as the TIFF readers leave out what the file no longer holds.
        const warning = stored.length > 0 && error instanceof SlideError && leftOutWarning(error);
        if (!warning) throw error;
        warnings.push(warning);
      }
    }
    if (stored.length === 0) throw new SlideError('CORRUPT_DATA', 'The NDPI file has no pyramid levels.', file.path);

    const first = directories[0]!;
    const views = withScaledLevels(stored);
    const base = stored[0]!;
    const levels: LevelInfo[] = views.map(({ stored: s, scale }) => {
      const width = Math.floor(s.width / scale);
      const height = Math.floor(s.height / scale);
      return {
        width,
        height,
        downsample: (base.width / width + base.height / height) / 2,
        tileWidth: s.tileWidth / scale,
        tileHeight: s.tileHeight / scale,
      };
    });
    const mpp = await mppOf(first);
    const sourceLens = await first.number(Tag.SourceLens);
    const objectivePower = sourceLens !== null && sourceLens > 0 ? sourceLens : null;
    const properties = await hamamatsuProperties(first);
    const texts = new Map<number, string>();
    for (const [tag] of PROPERTY_TAGS) {
      const text = await first.text(tag);
      if (text !== null) texts.set(tag, text);
    }
    const numbers = new Map<number, number>();
    for (const tag of [...DOUBLE_PROPERTY_TAGS.map(([t]) => t), RESOLUTION_UNIT_TAG]) {
      const value = await first.number(tag);
      if (value !== null) numbers.set(tag, value);
    }
    const all = tiffProperties(tiffTagProperties(texts, numbers));
    Object.assign(all, properties);
    Object.assign(all, openSlideProperties({ vendor: 'hamamatsu', comment: texts.get(270), levels, mpp, objectivePower }));
    return new HamamatsuJpegSource({
      path: file.path,
      format: 'hamamatsu-ndpi',
      views,
      levels,
      macro: macro ? () => file.read(macro.start, macro.length, 'The macro image') : null,
      mpp,
      objectivePower,
      properties: all,
      warnings,
      close: async () => file.close(),
    });
  },
};

/** Interval start offsets recorded in the file (relative to the level's JPEG), with their high bytes when recorded too. */
async function recordedStarts(dir: NdpiDirectory): Promise<number[] | null> {
  const low = await dir.numbers(Tag.McuStarts);
  if (!low) return null;
  const high = dir.count(Tag.McuStartsHighBytes) === low.length ? await dir.numbers(Tag.McuStartsHighBytes) : null;
  return high ? low.map((v, i) => v + high[i]! * 2 ** 32) : low;
}

/** MPP from the resolution tags, when in centimetres (OpenSlide sets none for inches). */
async function mppOf(dir: NdpiDirectory): Promise<Mpp | null> {
  const unit = (await dir.number(Tag.ResolutionUnit)) ?? 2;
  const x = await dir.number(Tag.XResolution);
  const y = await dir.number(Tag.YResolution);
  if (unit !== CENTIMETER || !x || !y) return null;
  return { x: 10_000 / x, y: 10_000 / y };
}

/** hamamatsu.* as OpenSlide 3.4.1 sets them from the first directory. */
async function hamamatsuProperties(dir: NdpiDirectory): Promise<Record<string, string>> {
  const properties: Record<string, string> = {};
  const lens = await dir.number(Tag.SourceLens);
  if (lens !== null) properties['hamamatsu.SourceLens'] = String(lens);
  const x = await dir.number(Tag.XOffset);
  if (x !== null) properties['hamamatsu.XOffsetFromSlideCentre'] = String(x);
  const y = await dir.number(Tag.YOffset);
  if (y !== null) properties['hamamatsu.YOffsetFromSlideCentre'] = String(y);
  const reference = await dir.text(Tag.Reference);
  if (reference !== null) properties['hamamatsu.Reference'] = reference;
  const map = await dir.text(Tag.PropertyMap);
  for (const record of map?.split('\r\n') ?? []) {
    const eq = record.indexOf('=');
    if (eq <= 0 || eq === record.length - 1) continue;
    properties[`hamamatsu.${record.slice(0, eq)}`] = record.slice(eq + 1);
  }
  return properties;
}
