// OME-TIFF (Bio-Formats bfconvert, QuPath, tifffile): OME-XML in the first IFD's ImageDescription.
// The slide is the OME Image that is not a macro or label; its first plane's IFD is level 0 and
// that IFD's SubIFDs are the reduced levels (the OME-TIFF pyramid layout). An 8-bit RGB (or grey)
// plane is read as any tiled TIFF; a 16-bit plane (fluorescence) shows its first channel as grey,
// noted in slidescope.note: channels are not composited yet.

import { slideFormat } from '../../../shared/slide-formats';
import { SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import type { TiffDirectory, TiffFile } from '../tiff/tiff-file';
import type { FormatPlugin } from './format-plugin';
import { type OmeImage, omeProperties, readOmeMetadata } from './ome-metadata';
import { OmePlaneSource } from './ome-plane-source';
import { TiffPyramidSource } from './tiff-pyramid-source';
import { MAX_XML_LENGTH, parseXml } from './xml-document';

const DESCRIPTION_TAG = 270;

/** The first IFD's description as UTF-8 text (OME-XML spells units "µm"). */
async function omeXml(tiff: TiffFile): Promise<string | null> {
  const bytes = await tiff.readTagBytes(tiff.directories[0]!, DESCRIPTION_TAG, MAX_XML_LENGTH);
  return bytes ? new TextDecoder().decode(bytes).replace(/\0+$/, '') : null;
}

function planeDirectory(tiff: TiffFile, image: OmeImage, what: string): TiffDirectory {
  if (image.elsewhere !== null) {
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `The ${what} of this multi-file OME-TIFF is in another file (${image.elsewhere.slice(0, 80)}), which is not read.`,
      tiff.path,
    );
  }
  const dir = tiff.directories[image.ifd];
  if (!dir) throw new SlideError('CORRUPT_DATA', `The OME-XML puts the ${what} at image directory ${image.ifd}, which the file does not have.`, tiff.path);
  if (dir.width !== image.sizeX || dir.height !== image.sizeY) {
    throw new SlideError(
      'CORRUPT_DATA',
      `The OME-XML gives the ${what} ${image.sizeX} x ${image.sizeY} pixels, its image directory ${dir.width} x ${dir.height}.`,
      tiff.path,
    );
  }
  return dir;
}

/** Level 0 and its SubIFDs that are smaller and sampled alike, largest first, one per size. */
async function pyramid(tiff: TiffFile, base: TiffDirectory): Promise<TiffDirectory[]> {
  const subs = (await tiff.subIfds(base)).filter(
    (d) => d.width < base.width && d.height <= base.height && d.samplesPerPixel === base.samplesPerPixel && d.bitsPerSample === base.bitsPerSample,
  );
  const levels = [base, ...subs].sort((a, b) => b.width - a.width);
  return levels.filter((d, i) => i === 0 || d.width !== levels[i - 1]!.width);
}

export const omeTiffFormat: FormatPlugin = {
  info: slideFormat('ome-tiff'),
  async detect(probe) {
    const tiff = await probe.tiff();
    const description = tiff?.directories[0]?.description ?? '';
    // An OME-XML with no Image (BinaryOnly: the metadata is in a companion file) is a plain TIFF here.
    return description.includes('<OME') && description.includes('openmicroscopy.org') && description.includes('<Image');
  },
  async open(probe): Promise<SlideSource> {
    const tiff = (await probe.tiff())!;
    const path = tiff.path;
    const xml = await omeXml(tiff);
    if (xml === null) throw new SlideError('CORRUPT_DATA', 'The OME-TIFF has no OME-XML description.', path);
    const metadata = readOmeMetadata(parseXml(xml, 'OME-XML', path), path);
    const { slide } = metadata;
    const base = planeDirectory(tiff, slide, 'slide image');
    const levels = await pyramid(tiff, base);
    const properties = omeProperties(metadata);
    const rgb = base.bitsPerSample === 8 && slide.samplesPerPixel >= 3 && base.samplesPerPixel >= 3;
    if (!rgb) {
      properties['slidescope.note'] =
        `This ${slide.type} image has ${slide.sizeC} channel${slide.sizeC === 1 ? '' : 's'}: the first is shown in grey (scaled from ${slide.significantBits} bits); channels are not composited yet.`;
    }
    const objectivePower = slide.objectiveMagnification;
    if (base.bitsPerSample === 16) {
      return OmePlaneSource.create(tiff, { levels, significantBits: slide.significantBits, objectivePower, mpp: slide.mpp, properties });
    }
    const associated = new Map<string, TiffDirectory>();
    for (const [name, image] of metadata.associated) {
      // An associated image the file does not hold as described is left out; the slide stands.
      const dir = tiff.directories[image.ifd];
      if (dir && dir !== base && image.elsewhere === null && dir.width === image.sizeX && dir.height === image.sizeY) associated.set(name, dir);
    }
    return TiffPyramidSource.create(tiff, { format: 'ome-tiff', vendor: 'ome-tiff', levels, associated, objectivePower, mpp: slide.mpp, properties });
  },
};
