// Leica SCN: a (Big)TIFF whose first, tiled directory's ImageDescription is an <scn> collection. As
// OpenSlide reads it, a level is the whole collection at one of the main images' resolutions (its
// size the collection's in nm over the level's nm per pixel), with every brightfield main image
// placed on it at its view's offset; the macro image (the one covering the collection) is the
// "macro" associated image. Fluorescence images are not read (a slide with no brightfield main
// image is refused), nor focal planes other than 0.

import type { Mpp } from '../../../shared/slide';
import { slideFormat } from '../../../shared/slide-formats';
import { SlideError } from '../errors';
import { MAX_DIMENSION, type TiffDirectory } from '../tiff/tiff-file';
import { tiffProperties } from '../tiff/tiff-properties';
import type { FormatPlugin } from './format-plugin';
import { isLeicaRoot, LEICA_NAMESPACES, type LeicaCollection, type LeicaImage, LeicaXmlError, readLeicaXml } from './leica-xml';
import { boundsProperties, openSlideProperties, regionProperties } from './openslide-properties';
import { parseInteger } from './openslide-values';
import { type PlacedLevel, PlacedTiffSource } from './placed-tiff-source';
import { TiffPyramidSource } from './tiff-pyramid-source';
import { parseXml } from './xml-document';

const BRIGHTFIELD = 'brightfield';

export const leicaFormat: FormatPlugin = {
  info: slideFormat('leica'),
  async detect(probe) {
    // Cheap: the XML is parsed (and a broken one reported) when the slide opens.
    const first = (await probe.tiff())?.directories[0];
    return first?.tiled === true && LEICA_NAMESPACES.some((ns) => first.description?.includes(ns));
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const path = tiff.path;
    const corrupt = (reason: string) => new SlideError('CORRUPT_DATA', `This Leica slide ${reason}.`, path);
    const root = parseXml(tiff.directories[0]!.description ?? '', 'ImageDescription', path);
    if (!isLeicaRoot(root)) throw corrupt("has no <scn> collection in Leica's namespace in its description");
    let collection: LeicaCollection;
    try {
      collection = readLeicaXml(root);
    } catch (error) {
      if (error instanceof LeicaXmlError) throw corrupt(`has an unreadable collection: ${error.message}`);
      throw error;
    }
    const directory = (ifd: number, what: string): TiffDirectory => {
      const dir = tiff.directories[ifd];
      if (!dir) throw corrupt(`names image ${ifd} for its ${what}, which the file does not have`);
      if (!dir.tiled) throw corrupt(`names an untiled image (${ifd}) for its ${what}`);
      return dir;
    };

    const main = mainImages(collection, path);
    const first = main[0]!;
    const areaDirs: TiffDirectory[] = [];
    const planes = first.dimensions.map((_, k) => {
      // The finest of the main images' resolutions at this level; all within 2% of the first's.
      const nmPerPixel = Math.min(...main.map((image) => image.dimensions[k]!.nmPerPixel));
      for (const image of main) {
        const similarity = 1 - Math.abs(image.dimensions[k]!.nmPerPixel - first.dimensions[k]!.nmPerPixel) / first.dimensions[k]!.nmPerPixel;
        if (!(similarity >= 0.98))
          throw new SlideError('UNSUPPORTED_FORMAT', 'This Leica slide has main images of different resolutions, which cannot be shown together.', path);
      }
      const width = Math.ceil(collection.widthNm / nmPerPixel);
      const height = Math.ceil(collection.heightNm / nmPerPixel);
      if (!(width >= 1 && height >= 1)) throw corrupt(`gives level ${k} a size of ${width} x ${height} pixels`);
      if (width > MAX_DIMENSION || height > MAX_DIMENSION) {
        throw new SlideError('TOO_LARGE', `This Leica slide's level ${k} would be ${width} x ${height} pixels, more than any slide can have.`, path);
      }
      const images = main.map((image) => {
        areaDirs.push(directory(image.dimensions[k]!.ifd, `level ${k}`));
        // Offsets in nm, converted to pixels as OpenSlide's int64 does: truncated.
        const x = Math.trunc(image.view.x / nmPerPixel);
        const y = Math.trunc(image.view.y / nmPerPixel);
        if (!Number.isSafeInteger(x) || !Number.isSafeInteger(y))
          throw corrupt(`places an image at an impossible offset (${image.view.x}, ${image.view.y} nm)`);
        return { image: areaDirs.length - 1, x, y };
      });
      return { width, height, images };
    });
    // Downsamples as OpenSlide computes them for levels that give none: the mean of the axes' ratios.
    const levels: PlacedLevel[] = planes.map((p) => ({ ...p, downsample: (planes[0]!.width / p.width + planes[0]!.height / p.height) / 2 }));

    const macros = collection.images.filter((image) => image.isMacro && image.illuminationSource === BRIGHTFIELD);
    if (macros.length > 1) throw corrupt(`has ${macros.length} macro images`);
    const associated = new Map<string, TiffDirectory>();
    const macro = macros[0]?.dimensions[0];
    if (macro) associated.set('macro', directory(macro.ifd, 'macro image'));

    const propertyDir = areaDirs[levels[0]!.images[0]!.image]!;
    const store = await TiffPyramidSource.create(tiff, {
      format: 'leica',
      vendor: 'leica',
      levels: areaDirs,
      associated,
      objectivePower: null,
      mpp: null,
      properties: {},
    });
    const properties = tiffProperties(propertyDir.tags, { description: false });
    const leica: Array<[string, string | null]> = [
      ['barcode', collection.barcode],
      ['aperture', first.aperture],
      ['creation-date', first.creationDate],
      ['device-model', first.deviceModel],
      ['device-version', first.deviceVersion],
      ['illumination-source', first.illuminationSource],
      ['objective', first.objective],
    ];
    for (const [name, value] of leica) if (value !== null) properties[`leica.${name}`] = value;
    const objectivePower = first.objective === null || first.objective === '' ? null : parseInteger(first.objective);
    const mpp = resolutionMpp(propertyDir);
    // Levels of placed images have no tile size of their own: OpenSlide reports none.
    Object.assign(properties, openSlideProperties({ vendor: 'leica', comment: undefined, levels, mpp, objectivePower }));
    const regions = levels[0]!.images.map((placed) => ({
      x: placed.x,
      y: placed.y,
      width: store.levels[placed.image]!.width,
      height: store.levels[placed.image]!.height,
    }));
    Object.assign(properties, regionProperties(regions), boundsProperties(regions));
    return new PlacedTiffSource({
      format: 'leica',
      vendor: 'leica',
      store,
      levels,
      objectivePower: objectivePower !== null && objectivePower > 0 ? objectivePower : null,
      mpp: mpp && Number.isFinite(mpp.x) && Number.isFinite(mpp.y) && mpp.x > 0 && mpp.y > 0 ? mpp : null,
      properties,
    });
  },
};

/**
 * The brightfield main images, each alike enough to composite with the first (OpenSlide's rules);
 * a slide without one is refused: fluorescence, by name.
 */
function mainImages(collection: LeicaCollection, path: string): LeicaImage[] {
  const candidates = collection.images.filter((image) => !image.isMacro);
  const main = candidates.filter((image) => image.illuminationSource === BRIGHTFIELD);
  if (main.length === 0) {
    const other = candidates.find((image) => image.illuminationSource !== null)?.illuminationSource;
    if (other !== undefined) {
      throw new SlideError(
        'UNSUPPORTED_FORMAT',
        `This Leica slide's images are ${other} images: only brightfield Leica slides can be shown (OpenSlide does not read ${other} either).`,
        path,
      );
    }
    throw new SlideError('CORRUPT_DATA', 'This Leica slide has no main image.', path);
  }
  const first = main[0]!;
  if (first.dimensions.length === 0) throw new SlideError('CORRUPT_DATA', 'This Leica slide has a main image without any dimension in focal plane 0.', path);
  for (const image of main) {
    if (image.objective !== first.objective || image.dimensions.length !== first.dimensions.length) {
      throw new SlideError('UNSUPPORTED_FORMAT', 'This Leica slide has dissimilar main images, which cannot be shown together.', path);
    }
    if (image.dimensions.some((d) => !(d.nmPerPixel > 0 && Number.isFinite(d.nmPerPixel)))) {
      throw new SlideError('CORRUPT_DATA', 'This Leica slide has an image whose dimensions and view do not make a pixel size.', path);
    }
  }
  return main;
}

/** Microns per pixel as OpenSlide derives them: 10000 over the resolution read as a float, when in pixels per cm. */
function resolutionMpp(dir: TiffDirectory): Mpp | null {
  if ((dir.resolutionUnit ?? 2) !== 3 || dir.xResolution === undefined || dir.yResolution === undefined) return null;
  return { x: 10000 / Math.fround(dir.xResolution), y: 10000 / Math.fround(dir.yResolution) };
}
