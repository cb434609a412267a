// Philips TIFF (the IntelliSite exporter's): Software "Philips...", and a DPUfsImport XML document
// in the first ImageDescription. Tiled directories are the levels, as OpenSlide reads them: the
// XML's pixel spacings give each level's downsample, and its true size (level 0's over the
// downsample: the TIFF pads levels to whole tiles). Absent tiles (offset and byte count 0, outside
// the scanned regions) are transparent. The label and macro come from untiled directories described
// "Label"/"Macro", else from the XML's Base64 JPEGs (dropped, the slide still opening, when those
// are broken).

import type { LevelInfo, Mpp } from '../../../shared/slide';
import { slideFormat } from '../../../shared/slide-formats';
import { leftOutWarning, SlideError } from '../errors';
import type { TiffDirectory } from '../tiff/tiff-file';
import { tiffProperties } from '../tiff/tiff-properties';
import { type EmbeddedJpeg, embeddedJpeg } from './embedded-jpeg';
import type { FormatPlugin } from './format-plugin';
import { openSlideProperties } from './openslide-properties';
import { decodeBase64 } from './openslide-values';
import { PhilipsSource } from './philips-source';
import { isDpUfsImport, parsePixelSpacing, readPhilipsXml } from './philips-xml';
import { TiffPyramidSource } from './tiff-pyramid-source';
import { parseXml } from './xml-document';

export const philipsFormat: FormatPlugin = {
  info: slideFormat('philips'),
  async detect(probe) {
    // Cheap: the XML is parsed (and a broken one reported) when the slide opens.
    const first = (await probe.tiff())?.directories[0];
    return first?.tags.Software?.startsWith('Philips') === true && /<DataObject\b/.test(first.description ?? '') && first.description!.includes('DPUfsImport');
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const path = tiff.path;
    const corrupt = (reason: string) => new SlideError('CORRUPT_DATA', `This Philips slide ${reason}.`, path);
    const dirs = tiff.directories;
    const root = parseXml(dirs[0]!.description ?? '', 'ImageDescription', path);
    if (!isDpUfsImport(root)) throw corrupt('has no DPUfsImport DataObject in its description');
    const xml = readPhilipsXml(root);
    if (xml.wsiCount !== 1) throw corrupt(`describes ${xml.wsiCount} WSI images, not one`);

    const levelDirs: TiffDirectory[] = [];
    const associated = new Map<string, TiffDirectory>();
    for (const dir of dirs) {
      if (dir.tiled) {
        const previous = levelDirs.at(-1);
        if (previous && (dir.newSubfileType & 1) === 0) throw corrupt(`has a full-resolution image after its first (image ${dir.index})`);
        if (previous && (dir.width > previous.width || dir.height > previous.height))
          throw corrupt(`has a level larger than the one before it (image ${dir.index})`);
        levelDirs.push(dir);
      } else if (dir.description?.startsWith('Label')) {
        associated.set('label', dir);
      } else if (dir.description?.startsWith('Macro')) {
        associated.set('macro', dir);
      }
    }
    if (levelDirs.length === 0) throw corrupt('has no tiled image');
    const levels = levelGeometry(levelDirs, xml.levelSpacings, corrupt);

    const xmlImages = new Map<string, EmbeddedJpeg>();
    const xmlImagesLeftOut: string[] = [];
    for (const [name, base64] of [
      ['label', xml.label],
      ['macro', xml.macro],
    ] as const) {
      if (base64 === null || associated.has(name)) continue;
      // A broken embedded image is dropped, as OpenSlide drops it: the slide itself is fine, but a damaged one is said.
      const jpeg = embeddedJpeg(decodeBase64(base64), name, path);
      if (!(jpeg instanceof SlideError)) xmlImages.set(name, jpeg);
      else {
        const warning = leftOutWarning(jpeg);
        if (warning) xmlImagesLeftOut.push(warning);
      }
    }

    const spacing = parsePixelSpacing(xml.properties.get('philips.DICOM_PIXEL_SPACING') ?? '');
    const mpp: Mpp | null = spacing && spacing.x > 0 && spacing.y > 0 ? { x: 1e3 * spacing.x, y: 1e3 * spacing.y } : null;
    const properties: Record<string, string> = {
      ...tiffProperties(dirs[0]!.tags, { description: false }),
      ...Object.fromEntries(xml.properties),
      ...openSlideProperties({
        vendor: 'philips',
        comment: undefined,
        levels,
        mpp: spacing ? { x: 1e3 * spacing.x, y: 1e3 * spacing.y } : null,
        objectivePower: null,
      }),
    };

    const pyramid = await TiffPyramidSource.create(tiff, {
      format: 'philips',
      vendor: 'philips',
      levels: levelDirs,
      associated,
      objectivePower: null,
      mpp,
      properties: {},
    });
    const xmlIccProfile = xml.properties.get('philips.DICOM_ICCPROFILE');
    return new PhilipsSource({
      pyramid,
      levels,
      xmlImages,
      xmlImagesLeftOut,
      mpp,
      properties,
      xmlIccProfile: xmlIccProfile ? decodeBase64(xmlIccProfile) : null,
    });
  },
};

/**
 * Each level's downsample, the rounded mean of its pixel spacing over level 0's, and its size,
 * level 0's over the downsample (truncated): OpenSlide's correction of the padded TIFF sizes.
 */
function levelGeometry(dirs: readonly TiffDirectory[], spacings: readonly string[], corrupt: (reason: string) => SlideError): LevelInfo[] {
  if (spacings.length !== dirs.length) throw corrupt(`gives pixel spacings for ${spacings.length} levels, not its ${dirs.length}`);
  const parsed = spacings.map((text, i) => {
    const spacing = parsePixelSpacing(text);
    if (!spacing) throw corrupt(`gives level ${i} a pixel spacing that is not two numbers ("${text.slice(0, 60)}")`);
    return spacing;
  });
  const base = dirs[0]!;
  const l0 = parsed[0]!;
  return dirs.map((dir, i) => {
    const downsample = i === 0 ? 1 : Math.round((parsed[i]!.x / l0.x + parsed[i]!.y / l0.y) / 2);
    const width = Math.trunc(base.width / downsample);
    const height = Math.trunc(base.height / downsample);
    if (!Number.isFinite(downsample) || downsample < 1 || width < 1 || height < 1) {
      throw corrupt(`gives level ${i} pixel spacings (${parsed[i]!.y} x ${parsed[i]!.x} mm) that do not make a downsample of level 0's`);
    }
    return { width, height, downsample, tileWidth: dir.blockWidth, tileHeight: dir.blockHeight };
  });
}
