// What an OME-TIFF's OME-XML says about the slide: which Image is the slide and which are its macro
// and label (bfconvert and QuPath write them as Images named so), where each Image's first plane is
// (TiffData IFD) and where each channel's plane at any (Z, T) is (planeIfds), its pixel type and channels, its physical pixel size in µm, and the objective's
// magnification. OpenSlide 3.4.1 does not read OME-XML: the ome.* property names are Slidescope's.

import { rgbToHex } from '../../../shared/annotations';
import { SlideError } from '../errors';
import { parseDouble } from './openslide-values';
import { childElements, firstChild, ownText, type XmlElement } from './xml-document';

/** Associated images by the names OME writers give them (lower case), as Slidescope names them. */
const ASSOCIATED_NAMES: Record<string, string> = { macro: 'macro', label: 'label', thumbnail: 'thumbnail', overview: 'macro' };

/** µm per unit of the OME UnitsLength symbols a pixel size may use. */
const MICRONS_PER_UNIT: Record<string, number> = {
  pm: 1e-6,
  Å: 1e-4,
  nm: 1e-3,
  µm: 1,
  μm: 1, // Greek mu, as some writers spell it
  um: 1,
  mm: 1e3,
  cm: 1e4,
  m: 1e6,
};

export interface OmeImage {
  name: string;
  /** The chain IFD of the Image's first plane (C = Z = T = 0). */
  ifd: number;
  /** The file holding that plane, when the OME-XML says it is another one (a multi-file OME-TIFF). */
  elsewhere: string | null;
  sizeX: number;
  sizeY: number;
  sizeC: number;
  sizeZ: number;
  sizeT: number;
  /** OME pixel type: uint8, uint16, ... */
  type: string;
  /** Bits used of each sample (SignificantBits, else the type's size). */
  significantBits: number;
  /** Samples per pixel of the first channel (3 for interleaved RGB). */
  samplesPerPixel: number;
  /** Whether its channels are a brightfield image's red, green and blue stored a plane each (isColourPlanes). */
  colourPlanes: boolean;
  channels: OmeChannel[];
  /** Where each channel's plane at each (Z, T) is (planeIfds). */
  planes: OmePlanes;
  /** Pixel size in µm, when both axes give one. */
  mpp: { x: number; y: number } | null;
  physical: Record<string, string>;
  acquisitionDate: string | undefined;
  objectiveMagnification: number | null;
}

export interface OmeChannel {
  name: string;
  /** The OME Color as RGB, when the channel gives one. */
  colour: [number, number, number] | null;
}

export interface OmeMetadata {
  slide: OmeImage;
  /** Slidescope's associated-image name -> Image. */
  associated: Map<string, OmeImage>;
  creator: string | undefined;
}

/** Channels of one image read (multiplexed immunofluorescence reaches ~60). */
export const MAX_CHANNELS = 256;

const TYPE_BITS: Record<string, number> = { int8: 8, uint8: 8, int16: 16, uint16: 16, int32: 32, uint32: 32, float: 32, double: 64, bit: 1 };

function intAttribute(element: XmlElement, name: string, fallback: number | null, path: string): number {
  const text = element.attributes.get(name);
  if (text === undefined) {
    if (fallback === null) throw new SlideError('CORRUPT_DATA', `The OME-XML's ${element.name} has no ${name}.`, path);
    return fallback;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0)
    throw new SlideError('CORRUPT_DATA', `The OME-XML's ${element.name} has ${name}="${text.slice(0, 20)}".`, path);
  return value;
}

type Sizes = { C: number; Z: number; T: number };

/** A TiffData run: `count` planes from plane index `start` (DimensionOrder), consecutive IFDs from `ifd`, in this file or another (`file`: its name). */
export interface TiffDataRun {
  start: number;
  count: number;
  ifd: number;
  file: string | null;
}

/** Where the Image's planes are: TiffData runs in the order written (null: none, the file's IFDs in order), and how planes are indexed. */
export interface OmePlanes {
  runs: TiffDataRun[] | null;
  /** DimensionOrder's axes, fastest first ('CZT' for XYCZT). */
  axes: Array<'C' | 'Z' | 'T'>;
  /** The plane counts along C (a plane per Channel element: interleaved samples are one), Z and T. */
  sizes: Sizes;
}

/** Where a channel's plane at some (Z, T) is: an IFD of this file, another file (by name), or nowhere the OME-XML says. */
export type PlaneWhere = { ifd: number } | { file: string } | null;

/** A plane's index in the order DimensionOrder stores them (XYCZT: C fastest, then Z, then T); null past the sizes. */
function planeIndex(planes: OmePlanes, at: Sizes): number | null {
  const { axes, sizes } = planes;
  if (axes.some((axis) => at[axis] >= Math.max(1, sizes[axis]))) return null;
  let index = 0;
  for (const axis of [...axes].reverse()) index = index * Math.max(1, sizes[axis]) + at[axis];
  return index;
}

function readPlanes(pixels: XmlElement, sizes: Sizes, fileUuid: string | undefined, path: string): OmePlanes {
  const order = pixels.attributes.get('DimensionOrder') ?? 'XYCZT';
  const axes = (/^XY([CZT]{3})$/.test(order) && new Set(order.slice(2)).size === 3 ? order.slice(2) : 'CZT').split('') as OmePlanes['axes'];
  const planes: OmePlanes = { runs: null, axes, sizes };
  const tiffData = childElements(pixels, 'TiffData');
  if (tiffData.length === 0) return planes;
  const all = Math.max(1, sizes.C) * Math.max(1, sizes.Z) * Math.max(1, sizes.T);
  const runs: TiffDataRun[] = [];
  for (const t of tiffData) {
    const start = planeIndex(planes, { C: intAttribute(t, 'FirstC', 0, path), Z: intAttribute(t, 'FirstZ', 0, path), T: intAttribute(t, 'FirstT', 0, path) });
    // A run starting past the sizes is passed over (tifffile does): read as an index, it would be another plane's.
    if (start === null) continue;
    const count = intAttribute(t, 'PlaneCount', t.attributes.has('IFD') ? 1 : all, path);
    const uuid = firstChild(t, 'UUID');
    const elsewhere = uuid && fileUuid && ownText(uuid).trim() !== fileUuid;
    const file = elsewhere ? (uuid.attributes.get('FileName') ?? ownText(uuid).trim()) : null;
    runs.push({ start, count, ifd: intAttribute(t, 'IFD', 0, path), file });
  }
  return { ...planes, runs };
}

/**
 * Each channel's plane at (z, t): the first TiffData run that holds it, whose planes are consecutive
 * IFDs in DimensionOrder (PlaneCount, else one plane where an IFD is named and all of them where none
 * is). With no TiffData, the planes are the file's IFDs in order. The runs are read once, whatever
 * their number; a (z, t) past the sizes has no planes.
 */
export function planeIfds(planes: OmePlanes, z: number, t: number): PlaneWhere[] {
  const channels = Math.max(1, planes.sizes.C);
  const origin = planeIndex(planes, { C: 0, Z: z, T: t });
  if (origin === null) return Array.from({ length: channels }, () => null);
  // Channel c's plane is c planes of the faster axes on from channel 0's.
  const stride = channels > 1 ? planeIndex(planes, { C: 1, Z: z, T: t })! - origin : 1;
  if (planes.runs === null) return Array.from({ length: channels }, (_, c) => ({ ifd: origin + c * stride }));
  const where: Array<PlaneWhere | undefined> = Array.from({ length: channels }, () => undefined);
  let left = channels;
  for (const run of planes.runs) {
    if (left === 0) break;
    const first = Math.max(0, Math.ceil((run.start - origin) / stride));
    const last = Math.min(channels - 1, Math.floor((run.start + run.count - 1 - origin) / stride));
    for (let c = first; c <= last; c++) {
      if (where[c] !== undefined) continue;
      where[c] = run.file === null ? { ifd: run.ifd + (origin + c * stride - run.start) } : { file: run.file };
      left--;
    }
  }
  return where.map((w) => w ?? null);
}

/** OME's Color: a signed 32-bit RGBA integer; null where absent or not one. */
function channelColour(channel: XmlElement): [number, number, number] | null {
  const text = channel.attributes.get('Color');
  const value = text === undefined ? Number.NaN : Number(text);
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32) return null;
  const rgba = value >>> 0;
  return [(rgba >>> 24) & 255, (rgba >>> 16) & 255, (rgba >>> 8) & 255];
}

/** Channel attributes that only a fluorescence acquisition gives (a dye, its light's wavelengths). */
const FLUORESCENCE_ATTRIBUTES = ['Fluor', 'EmissionWavelength', 'ExcitationWavelength'];
/** The names a channel of a colour plane may have, in the order red, green, blue. */
const COLOUR_NAMES = [/^(r|red)$/i, /^(g|green)$/i, /^(b|blue)$/i];
const COLOURS = ['#ff0000', '#00ff00', '#0000ff'];

function fluorescent(channel: XmlElement): boolean {
  const { attributes } = channel;
  return (
    FLUORESCENCE_ATTRIBUTES.some((name) => attributes.has(name)) ||
    attributes.get('ContrastMethod') === 'Fluorescence' ||
    attributes.get('IlluminationType') === 'Epifluorescence'
  );
}

/**
 * Whether an image's channels are a brightfield RGB image's colours stored a plane each (bfconvert
 * -separate, raw2ometiff without --rgb, tifffile's CYX): 8-bit, three channels of one sample each,
 * none naming a fluorescence acquisition (a dye, a wavelength, fluorescence contrast or
 * epifluorescence), and whatever colours or names they are given red, green and blue in that order
 * (colours all alike, as bfconvert's white on every channel, say nothing). QuPath asks for the names
 * and colours of its own RGB channels and shows an image that says nothing as channels; a pathology
 * viewer expects the colour slide, and fluorescence files say what they are.
 */
function isColourPlanes(type: string, sizeC: number, channels: XmlElement[]): boolean {
  if (type !== 'uint8' || sizeC !== 3 || (channels.length !== 0 && channels.length !== 3)) return false;
  if (channels.some((c) => (c.attributes.get('SamplesPerPixel') ?? '1') !== '1' || fluorescent(c))) return false;
  const colours = channels.map((c) => {
    const colour = channelColour(c);
    return colour ? rgbToHex(colour) : null;
  });
  const said = new Set(colours).size > 1;
  if (said && colours.some((colour, c) => colour !== COLOURS[c])) return false;
  return channels.every((channel, c) => {
    const name = channel.attributes.get('Name')?.trim();
    return !name || COLOUR_NAMES[c]!.test(name);
  });
}

function micrometres(pixels: XmlElement, axis: 'X' | 'Y'): number | null {
  const text = pixels.attributes.get(`PhysicalSize${axis}`);
  if (text === undefined) return null;
  const value = parseDouble(text);
  const perUnit = MICRONS_PER_UNIT[pixels.attributes.get(`PhysicalSize${axis}Unit`) ?? 'µm'];
  if (!(value > 0) || perUnit === undefined) return null;
  const mpp = value * perUnit;
  // A microscope's pixel is between a few nanometres and a millimetre: anything else is no scale.
  return mpp > 1e-3 && mpp < 1e3 ? mpp : null;
}

function readImage(image: XmlElement, objectives: Map<string, number>, fileUuid: string | undefined, path: string): OmeImage {
  const pixels = firstChild(image, 'Pixels');
  if (!pixels) throw new SlideError('CORRUPT_DATA', 'An Image of the OME-XML has no Pixels.', path);
  const type = pixels.attributes.get('Type') ?? '';
  const bits = TYPE_BITS[type];
  if (bits === undefined) throw new SlideError('CORRUPT_DATA', `The OME-XML gives the pixel type "${type.slice(0, 20)}".`, path);
  const tiffData = childElements(pixels, 'TiffData');
  // The plane C = Z = T = 0: the TiffData that starts there (or lists planes from there).
  const first = tiffData.find((t) => ['FirstC', 'FirstZ', 'FirstT'].every((a) => (t.attributes.get(a) ?? '0') === '0')) ?? tiffData[0];
  const channels = childElements(pixels, 'Channel');
  const physical: Record<string, string> = {};
  for (const name of ['PhysicalSizeX', 'PhysicalSizeXUnit', 'PhysicalSizeY', 'PhysicalSizeYUnit', 'PhysicalSizeZ', 'PhysicalSizeZUnit']) {
    const value = pixels.attributes.get(name);
    if (value !== undefined) physical[name] = value;
  }
  const x = micrometres(pixels, 'X');
  const y = micrometres(pixels, 'Y');
  const settings = firstChild(image, 'ObjectiveSettings')?.attributes.get('ID');
  // TiffData names the file of its planes by UUID: this file's is the root's UUID attribute.
  const uuid = first ? firstChild(first, 'UUID') : undefined;
  const planeFile = uuid ? ownText(uuid).trim() : '';
  const elsewhere = uuid && fileUuid && planeFile !== fileUuid ? (uuid.attributes.get('FileName') ?? planeFile) : null;
  const date = firstChild(image, 'AcquisitionDate');
  const sizes = { C: intAttribute(pixels, 'SizeC', 1, path), Z: intAttribute(pixels, 'SizeZ', 1, path), T: intAttribute(pixels, 'SizeT', 1, path) };
  // Channels are listed a plane each; beyond this a file describes no slide a viewer could composite.
  if (sizes.C > MAX_CHANNELS) throw new SlideError('UNSUPPORTED_FORMAT', `The OME-XML gives ${sizes.C} channels: at most ${MAX_CHANNELS} are read.`, path);
  const samplesPerPixel = channels[0] ? intAttribute(channels[0], 'SamplesPerPixel', 1, path) : 1;
  // Channels interleaved in one IFD's samples are one plane (Bio-Formats' effective SizeC).
  const planeSizes = { ...sizes, C: samplesPerPixel > 1 ? Math.ceil(sizes.C / samplesPerPixel) : sizes.C };
  return {
    name: image.attributes.get('Name') ?? '',
    ifd: first ? intAttribute(first, 'IFD', 0, path) : 0,
    elsewhere,
    sizeX: intAttribute(pixels, 'SizeX', null, path),
    sizeY: intAttribute(pixels, 'SizeY', null, path),
    sizeC: sizes.C,
    sizeZ: sizes.Z,
    sizeT: sizes.T,
    type,
    significantBits: Math.min(bits, intAttribute(pixels, 'SignificantBits', bits, path) || bits),
    samplesPerPixel,
    colourPlanes: isColourPlanes(type, sizes.C, channels),
    channels: Array.from({ length: sizes.C }, (_, c) => ({
      name: channels[c]?.attributes.get('Name') ?? '',
      colour: channels[c] ? channelColour(channels[c]) : null,
    })),
    planes: readPlanes(pixels, planeSizes, fileUuid, path),
    mpp: x !== null && y !== null ? { x, y } : null,
    physical,
    acquisitionDate: (date && ownText(date).trim()) || undefined,
    objectiveMagnification: settings === undefined ? null : (objectives.get(settings) ?? null),
  };
}

/** The slide, its associated images and the creator, from the OME root element. */
export function readOmeMetadata(root: XmlElement, path: string): OmeMetadata {
  if (root.name !== 'OME') throw new SlideError('CORRUPT_DATA', "The OME-TIFF's description is not OME-XML.", path);
  const objectives = new Map<string, number>();
  for (const instrument of childElements(root, 'Instrument')) {
    for (const objective of childElements(instrument, 'Objective')) {
      const id = objective.attributes.get('ID');
      const magnification = parseDouble(objective.attributes.get('NominalMagnification') ?? '');
      if (id !== undefined && magnification > 0 && magnification < 1000) objectives.set(id, magnification);
    }
  }
  // Only the Images shown are read whole: a file may list a great many (a plate's wells), each of many channels.
  const associated = new Map<string, XmlElement>();
  let slide: XmlElement | undefined;
  for (const image of childElements(root, 'Image')) {
    const as = ASSOCIATED_NAMES[(image.attributes.get('Name') ?? '').trim().toLowerCase()];
    if (as !== undefined) {
      if (!associated.has(as)) associated.set(as, image);
    } else {
      slide ??= image;
    }
  }
  if (!slide) throw new SlideError('CORRUPT_DATA', 'The OME-XML describes no slide image.', path);
  const read = (image: XmlElement) => readImage(image, objectives, root.attributes.get('UUID'), path);
  return {
    slide: read(slide),
    associated: new Map([...associated].map(([name, image]) => [name, read(image)])),
    creator: root.attributes.get('Creator'),
  };
}

/** ome.* properties of the slide image (names of Slidescope's own: OpenSlide does not read OME). */
export function omeProperties(metadata: OmeMetadata): Record<string, string> {
  const { slide } = metadata;
  const properties: Record<string, string> = {
    'ome.image.name': slide.name,
    'ome.pixels.type': slide.type,
    'ome.pixels.significant-bits': String(slide.significantBits),
    'ome.pixels.size-x': String(slide.sizeX),
    'ome.pixels.size-y': String(slide.sizeY),
    'ome.pixels.size-c': String(slide.sizeC),
    'ome.pixels.size-z': String(slide.sizeZ),
    'ome.pixels.size-t': String(slide.sizeT),
  };
  for (const [name, value] of Object.entries(slide.physical)) properties[`ome.pixels.${name}`] = value;
  slide.channels.forEach(({ name, colour }, i) => {
    if (name) properties[`ome.channel[${i}].name`] = name;
    if (colour) properties[`ome.channel[${i}].color`] = rgbToHex(colour);
  });
  if (slide.acquisitionDate) properties['ome.image.acquisition-date'] = slide.acquisitionDate;
  if (slide.objectiveMagnification !== null) properties['ome.objective.nominal-magnification'] = String(slide.objectiveMagnification);
  if (metadata.creator) properties['ome.creator'] = metadata.creator;
  return properties;
}
