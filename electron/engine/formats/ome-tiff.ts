// OME-TIFF (Bio-Formats bfconvert, QuPath, tifffile): OME-XML in the first IFD's ImageDescription.
// The slide is the OME Image that is not a macro or label; its first plane's IFD is level 0 and
// that IFD's SubIFDs are the reduced levels (the OME-TIFF pyramid layout). An 8-bit RGB (or grey)
// plane is read as any tiled TIFF, at any of its focal planes and timepoints (a brightfield z-stack),
// and so is each of its colours where they are 8-bit channels of a plane each (ome-colour-planes.ts);
// 16-bit planes, and several 8-bit channels or planes (fluorescence, z-stacks, time series), are
// composited in their colours (ome-channel-source.ts). Both show Z = T = 0 until another plane is
// chosen (planeStack).

import { slideFormat } from '../../../shared/slide-formats';
import { SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import type { TiffDirectory, TiffFile } from '../tiff/tiff-file';
import type { FormatPlugin } from './format-plugin';
import { type ChannelPlane, decodesPlane, OmeChannelSource } from './ome-channel-source';
import { ColourPlanesSource } from './ome-colour-planes';
import { type OmeImage, omeProperties, type PlaneWhere, planeIfds, readOmeMetadata } from './ome-metadata';
import { type PlaneStack, TiffPyramidSource } from './tiff-pyramid-source';
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

/** Whether two levels' planes are laid out alike: a channel's blocks must match the first's to be composited with them. */
function sameLayout(a: TiffDirectory, b: TiffDirectory): boolean {
  return (
    a.width === b.width && a.height === b.height && a.blockWidth === b.blockWidth && a.blockHeight === b.blockHeight && a.bitsPerSample === b.bitsPerSample
  );
}

/** The OME-XML's plane of a channel at (z, t) as an image directory of this file; UNSUPPORTED_FORMAT or CORRUPT_DATA saying why where it is not one. */
function planeAt(tiff: TiffFile, where: PlaneWhere, label: string): TiffDirectory {
  if (where === null) throw new SlideError('CORRUPT_DATA', `The OME-XML does not say where ${label} is.`, tiff.path);
  if ('file' in where)
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `${capitalised(label)} of this multi-file OME-TIFF is in another file (${where.file.slice(0, 80)}), which is not read.`,
      tiff.path,
    );
  const dir = tiff.directories[where.ifd];
  if (!dir) throw new SlideError('CORRUPT_DATA', `The OME-XML puts ${label} at image directory ${where.ifd}, which the file does not have.`, tiff.path);
  return dir;
}

function channelLabel(slide: OmeImage, c: number): string {
  return `Channel ${c + 1}${slide.channels[c]?.name ? ` (${slide.channels[c]!.name.slice(0, 80)})` : ''}`;
}

/**
 * The slide's channels at Z = T = 0: the samples of its one plane when it holds them all, else a
 * plane each (its pyramid laid out as the first channel's). A channel that cannot be composited is
 * left out, with a warning naming it; the first is the slide's own plane.
 */
async function channelPlanes(tiff: TiffFile, slide: OmeImage, levels: TiffDirectory[]): Promise<{ channels: ChannelPlane[]; warnings: string[] }> {
  const base = levels[0]!;
  const named = (c: number) => ({ index: c, name: slide.channels[c]?.name ?? '', colour: slide.channels[c]?.colour ?? null });
  if (base.samplesPerPixel > 1) {
    const planar = base.planarConfiguration === 2;
    const count = Math.min(base.samplesPerPixel, Math.max(1, slide.sizeC));
    const channels = Array.from({ length: count }, (_, c) => ({ ...named(c), levels, plane: planar ? c : 0, sample: planar ? 0 : c }));
    return { channels, warnings: [] };
  }
  const channels: ChannelPlane[] = [{ ...named(0), levels, plane: 0, sample: 0 }];
  const warnings: string[] = [];
  const where = planeIfds(slide.planes, 0, 0);
  for (let c = 1; c < slide.sizeC; c++) {
    const at = where[c] ?? null;
    const ifd = at !== null && 'ifd' in at ? at.ifd : null;
    const dir = ifd === null ? undefined : tiff.directories[ifd];
    if (!dir) {
      warnings.push(
        `${channelLabel(slide, c)} is not shown: its plane is ${ifd === null ? 'not in this file' : `at image directory ${ifd}, which the file does not have`}.`,
      );
      continue;
    }
    const own = dir === base ? levels : await pyramid(tiff, dir);
    if (own.length < levels.length || levels.some((level, k) => !sameLayout(level, own[k]!))) {
      warnings.push(`${channelLabel(slide, c)} is not shown: its plane's levels are not laid out as the first channel's.`);
      continue;
    }
    channels.push({ ...named(c), levels: own.slice(0, levels.length), plane: 0, sample: 0 });
  }
  return { channels, warnings };
}

/**
 * The levels of a brightfield image's green and blue planes beside its red (`levels`), each of one
 * sample, a plane of its own (one the OME-XML gives two colours is no colour photograph) and laid out
 * as the red's; null where one is not (its channels are then composited, the one left out named).
 */
async function colourPlaneLevels(tiff: TiffFile, slide: OmeImage, levels: TiffDirectory[]): Promise<TiffDirectory[][] | null> {
  const where = planeIfds(slide.planes, 0, 0);
  const colours = [levels];
  for (const c of [1, 2]) {
    const at = where[c] ?? null;
    const dir = at !== null && 'ifd' in at ? tiff.directories[at.ifd] : undefined;
    if (!dir || colours.some(([first]) => first === dir)) return null;
    const own = await pyramid(tiff, dir);
    if (!laidOutAs(levels, own)) return null;
    colours.push(own.slice(0, levels.length));
  }
  return colours;
}

/** Names a plane of the image at (z, t), within a sentence: channel c's where it has several. */
function planeLabel(slide: OmeImage, c: number, z: number, t: number): string {
  const at = `Z-slice ${z + 1}, timepoint ${t + 1}`;
  return slide.planes.sizes.C > 1 ? `${channelLabel(slide, c)}'s plane at ${at}` : `the plane at ${at}`;
}

/** Whether another plane's pyramid has the levels' sizes, tiles and samples (more levels left aside). */
function laidOutAs(levels: readonly TiffDirectory[], own: readonly TiffDirectory[]): boolean {
  return own.length >= levels.length && levels.every((level, k) => sameLayout(level, own[k]!) && level.samplesPerPixel === own[k]!.samplesPerPixel);
}

/** A label starting a sentence. */
const capitalised = (label: string): string => label.charAt(0).toUpperCase() + label.slice(1);

/**
 * The image's focal planes and timepoints: channel c's plane at (z, t) found through the TiffData
 * and DimensionOrder, laid out as the slide's levels at Z = T = 0 (they do not change with the
 * plane); refused naming the plane and why where it is not.
 */
function planeStack(tiff: TiffFile, slide: OmeImage, levels: TiffDirectory[]): PlaneStack {
  return {
    sizeZ: Math.max(1, slide.sizeZ),
    sizeT: Math.max(1, slide.sizeT),
    async levelsAt(c, z, t) {
      const label = planeLabel(slide, c, z, t);
      const own = await pyramid(tiff, planeAt(tiff, planeIfds(slide.planes, z, t)[c] ?? null, label));
      if (!laidOutAs(levels, own))
        throw new SlideError(
          'UNSUPPORTED_FORMAT',
          `${capitalised(label)} is not laid out as at Z-slice 1, timepoint 1 (its levels' sizes or tiles differ).`,
          tiff.path,
        );
      return own.slice(0, levels.length);
    },
  };
}

/**
 * Why the image's Z-slices and timepoints cannot be stepped through, or null: planes in order without
 * TiffData whose last lies past the file's image directories (sizes the file cannot hold, as a
 * hostile SizeZ of 2^31 would claim). tifffile then reads the file's images as they are; here its
 * first plane is shown, with this said.
 */
function planesNotHeld(tiff: TiffFile, slide: OmeImage): string | null {
  const [sizeZ, sizeT] = [Math.max(1, slide.sizeZ), Math.max(1, slide.sizeT)];
  if (slide.planes.runs !== null || sizeZ * sizeT === 1) return null;
  // The first channel's: another channel the file lacks is left out as it is at Z = T = 0 (channelPlanes).
  const [last] = planeIfds(slide.planes, sizeZ - 1, sizeT - 1);
  if (last && 'ifd' in last && last.ifd < tiff.directories.length) return null;
  return `The OME-XML gives ${sizeZ} Z-slices and ${sizeT} timepoint${sizeT === 1 ? '' : 's'}, more planes than the file's ${tiff.directories.length} image directories hold: only the first plane is shown.`;
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
    const objectivePower = slide.objectiveMagnification;
    // Several channels, or planes to step through, are composited by channel (grey for one).
    const stacked = slide.sizeC > 1 || slide.sizeZ > 1 || slide.sizeT > 1;
    const unheld = planesNotHeld(tiff, slide);
    const described = planeStack(tiff, slide, levels);
    const stack = unheld === null ? described : { ...described, sizeZ: 1, sizeT: 1 };
    const stackWarnings = unheld === null ? [] : [unheld];
    const associated = new Map<string, TiffDirectory>();
    for (const [name, image] of metadata.associated) {
      // An associated image the file does not hold as described is left out; the slide stands.
      const dir = tiff.directories[image.ifd];
      if (dir && dir !== base && image.elsewhere === null && dir.width === image.sizeX && dir.height === image.sizeY) associated.set(name, dir);
    }
    const planes = stack.sizeZ > 1 || stack.sizeT > 1 ? stack : null;
    const pyramidOf = (own: TiffDirectory[], c: number) =>
      TiffPyramidSource.create(tiff, {
        format: 'ome-tiff',
        vendor: 'ome-tiff',
        levels: own,
        // The first channel's source says the slide's associated images and warnings.
        associated: c === 0 ? associated : new Map(),
        objectivePower,
        mpp: slide.mpp,
        properties,
        planes: planes && { ...planes, levelsAt: (_, z, t) => planes.levelsAt(c, z, t) },
        warnings: c === 0 ? stackWarnings : [],
      });
    const colours = slide.colourPlanes && base.bitsPerSample === 8 && base.samplesPerPixel === 1 ? await colourPlaneLevels(tiff, slide, levels) : null;
    if (colours) {
      const [red, green, blue] = await Promise.all(colours.map(pyramidOf));
      return new ColourPlanesSource(
        [red!, green!, blue!],
        "This image's 3 channels are shown as the red, green and blue of a brightfield slide: they are 8-bit and its OME-XML gives them no fluorescence, nor colours or names other than red, green and blue.",
      );
    }
    if (!rgb && (base.bitsPerSample !== 8 || (stacked && decodesPlane(base)))) {
      const { channels, warnings } = await channelPlanes(tiff, slide, levels);
      return OmeChannelSource.create(tiff, {
        channels,
        stack,
        significantBits: slide.significantBits,
        objectivePower,
        mpp: slide.mpp,
        properties,
        warnings: [...warnings, ...stackWarnings],
      });
    }
    // 8-bit RGB or grey, or 8-bit channels in a codec read as any TIFF's (the first channel in grey),
    // at any of its planes (a brightfield z-stack or time series).
    if (!rgb && slide.sizeC > 1) properties['slidescope.note'] = `This ${slide.type} image has ${slide.sizeC} channels: the first is shown in grey.`;
    return pyramidOf(levels, 0);
  },
};
