// Ventana (Roche iScan) BIF and Ventana TIFF, as OpenSlide 3.4.1 reads them: the first directory's
// XMP packet holds an iScan element (ventana.* properties, magnification, resolution); directories
// described "level=N mag=M" are the pyramid, in order of falling magnification; "Label Image" is
// the macro and "Thumbnail" the thumbnail. Level 0's own XMP packet, when present, says how its
// overlapping frames are stitched (ventana-layout.ts); without it the levels are plain tiled images.

import type { Mpp } from '../../../shared/slide';
import { slideFormat } from '../../../shared/slide-formats';
import { SlideError } from '../errors';
import type { TiffDirectory, TiffFile } from '../tiff/tiff-file';
import type { FormatPlugin } from './format-plugin';
import { parseDouble, parseInteger } from './openslide-values';
import { TiffPyramidSource } from './tiff-pyramid-source';
import { type BifLayout, findIScan, iScanProperties, parseEncodeInfo, parseLevelDescription } from './ventana-layout';
import { type VentanaLevel, VentanaSource } from './ventana-source';
import { MAX_XML_LENGTH, parseXml } from './xml-document';

const XMP_TAG = 700;

/** A directory's XMP packet as text, or null when it has none. */
async function xmpPacket(tiff: TiffFile, dir: TiffDirectory): Promise<string | null> {
  const bytes = await tiff.readTagBytes(dir, XMP_TAG, MAX_XML_LENGTH);
  return bytes ? new TextDecoder().decode(bytes).replace(/\0+$/, '') : null;
}

export const ventanaFormat: FormatPlugin = {
  info: slideFormat('ventana'),
  async detect(probe) {
    const tiff = await probe.tiff();
    const first = tiff?.directories[0];
    if (!tiff || !first) return false;
    // The cheap test OpenSlide makes first; an XMP packet too large to be metadata is not Ventana's.
    const xmp = await xmpPacket(tiff, first).catch(() => null);
    return xmp?.includes('iScan') === true;
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const path = tiff.path;
    const iScan = findIScan(parseXml((await xmpPacket(tiff, tiff.directories[0]!))!, 'iScan XMP packet', path));
    if (!iScan) throw new SlideError('CORRUPT_DATA', "The slide's XMP packet has no iScan element where Ventana writes it.", path);
    const properties = iScanProperties(iScan);
    // Several focal planes are stored as extra tiles OpenSlide does not place: it refuses them.
    const zLayers = iScan.attributes.get('Z-layers');
    if (zLayers !== undefined && parseInteger(zLayers) !== 1) {
      throw new SlideError('UNSUPPORTED_FORMAT', `The BIF has ${zLayers.slice(0, 10)} focal planes (Z-layers); only single-plane slides are supported.`, path);
    }

    const levels: VentanaLevel[] = [];
    const associated = new Map<string, TiffDirectory>();
    let layout: BifLayout | null = null;
    let previousMagnification = Number.POSITIVE_INFINITY;
    let baseMagnification = 0;
    for (const dir of tiff.directories) {
      const description = dir.description;
      if (description === undefined) continue;
      const level = parseLevelDescription(description, path);
      if (level) {
        if (level.level !== levels.length)
          throw new SlideError('CORRUPT_DATA', `Pyramid level ${level.level} comes where level ${levels.length} should.`, path);
        if (level.magnification >= previousMagnification)
          throw new SlideError('CORRUPT_DATA', `Pyramid level ${level.level} is not at a lower magnification than the level before it.`, path);
        previousMagnification = level.magnification;
        if (level.level === 0) baseMagnification = level.magnification;
        if (!dir.tiled) throw new SlideError('CORRUPT_DATA', `Pyramid level ${level.level} (image ${dir.index}) is not tiled.`, path);
        const base = levels[0]?.dir ?? dir;
        if (dir.blockWidth !== base.blockWidth || dir.blockHeight !== base.blockHeight) {
          throw new SlideError(
            'CORRUPT_DATA',
            `Pyramid level ${level.level} has ${dir.blockWidth} x ${dir.blockHeight} tiles, level 0 ${base.blockWidth} x ${base.blockHeight}.`,
            path,
          );
        }
        if (level.level === 0) {
          const encodeInfo = await xmpPacket(tiff, dir);
          if (encodeInfo !== null)
            layout = parseEncodeInfo(encodeInfo, dir.blockWidth, dir.blockHeight, { cols: dir.blocksAcross, rows: dir.blocksDown }, path);
        }
        levels.push({ dir, downsample: baseMagnification / level.magnification });
      } else if (description === 'Label Image' || description === 'Label_Image') {
        associated.set('macro', dir);
      } else if (description === 'Thumbnail') {
        associated.set('thumbnail', dir);
      }
    }
    if (levels.length === 0) throw new SlideError('CORRUPT_DATA', 'The Ventana slide has no pyramid levels.', path);
    levels.sort((a, b) => b.dir.width - a.dir.width);

    // Objective power and MPP as OpenSlide copies them from the iScan attributes (any number), and
    // as the slide uses them (positive ones).
    const magnification = properties['ventana.Magnification'] === undefined ? null : parseInteger(properties['ventana.Magnification']);
    const scanRes = properties['ventana.ScanRes'] === undefined ? Number.NaN : parseDouble(properties['ventana.ScanRes']);
    const reported = { objectivePower: magnification, mpp: Number.isNaN(scanRes) ? null : { x: scanRes, y: scanRes } };
    const mpp: Mpp | null = scanRes > 0 ? { x: scanRes, y: scanRes } : null;

    const pyramid = await TiffPyramidSource.create(tiff, {
      format: 'ventana',
      vendor: 'ventana',
      levels: levels.map((l) => l.dir),
      associated,
      objectivePower: magnification !== null && magnification > 0 ? magnification : null,
      mpp,
      properties,
    });
    return new VentanaSource(pyramid, levels, layout, reported);
  },
};
