// A test-only writer of OME-TIFF pyramids laid out as the OME-TIFF specification, Bio-Formats'
// bfconvert and QuPath write them:
//
// - the OME-XML in the first IFD's ImageDescription (UTF-8: units such as "µm");
// - each plane of the slide image a full-resolution IFD in the chain (TiffData IFD=...), its
//   reduced levels (2x apart) that IFD's SubIFDs (tag 330), flagged reduced-resolution;
// - brightfield: one interleaved RGB plane (Channel SamplesPerPixel=3), JPEG (YCbCr or RGB) or LZW
//   tiles, with "macro" and "label" as Images of their own (one IFD each); a z-stack an IFD a focal
//   plane; or its red, green and blue as separate planes: an 8-bit grey IFD per channel (SizeC=3,
//   SamplesPerPixel=1, as bfconvert -separate writes) or PlanarConfiguration 2 in one IFD;
// - fluorescence: SizeC planes of 16-bit grey (uncompressed), one IFD per channel.

import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import { applyHorizontalPredictor, lzwEncode } from '../../electron/synth/lzw';
import { reduceBox } from '../../electron/synth/pyramid';
import { SOFTWARE, type WrittenSlide, writeAtomically } from '../../electron/synth/slides';
import { Compression, FieldType, Photometric, type TiffImage, TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec, type TileCodec } from '../../electron/synth/tile-codecs';
import { TissuePainter } from '../../electron/synth/tissue';

export interface OmeTiffOptions {
  width: number;
  height: number;
  /** Levels including the full resolution, 2x apart (SubIFDs: levels - 1). */
  levels: number;
  tileSize?: number;
  /** 'rgb': 8-bit brightfield; 'fluorescence': `channels` 16-bit planes. */
  kind: 'rgb' | 'fluorescence';
  compression?: 'jpeg' | 'lzw' | 'deflate' | 'none';
  /** JPEG tiles' photometric (brightfield, interleaved): YCbCr 4:2:0 (default) or RGB. */
  jpegPhotometric?: 'ycbcr' | 'rgb';
  /**
   * How brightfield samples are stored: interleaved (default); 'channel-planes', a grey IFD per colour
   * (three Channels of one sample); 'planar', one IFD with PlanarConfiguration 2. Separate planes'
   * tiles are each a grey tile in the codec (JPEG: a full grey JPEG, no shared tables).
   */
  rgbLayout?: 'interleaved' | 'channel-planes' | 'planar';
  /** Attributes of the three Channel elements of 'channel-planes' (Name, Color, Fluor ...), written as given. */
  channelAttributes?: readonly [string, string, string];
  channels?: number;
  /**
   * Focal planes (SizeZ; DimensionOrder XYCZT, an IFD a plane): a fluorescence plane z's samples
   * (Z - z) / Z of plane 0's, a brightfield one's as faint (omeRgbPlane).
   */
  zSlices?: number;
  /** Bits used of the 16 (OME SignificantBits). */
  significantBits?: number;
  /** Pixel size as written: value and OME unit symbol. */
  physicalSize?: { value: number; unit: string };
  /** Instrument Objective NominalMagnification, referenced by the image's ObjectiveSettings. */
  objective?: number;
  /** 'macro' and 'label' Images of their own (brightfield only). */
  associated?: boolean;
  seed?: number;
  /** Hostile files only: rewrites the OME-XML before it is written (not part of fixture keys). */
  rewriteXml?: (xml: string) => string;
}

/** Full-resolution pixels of the brightfield image, and every level as written (lossless codecs keep them). */
export function omeRgbLevels(options: OmeTiffOptions): RgbImage[] {
  const painter = new TissuePainter({ width: options.width, height: options.height, seed: options.seed ?? 1 });
  const levels: RgbImage[] = [{ data: painter.render(0, 0, options.width, options.height), width: options.width, height: options.height }];
  for (let k = 1; k < options.levels; k++) levels.push(reduceBox(levels[k - 1]!.data, levels[k - 1]!.width, levels[k - 1]!.height, 2));
  return levels;
}

/** Focal plane z of `zSlices` of a brightfield level: its stain (255 - value) (zSlices - z) / zSlices of plane 0's, fainter with depth. */
export function omeRgbPlane(level: RgbImage, z: number, zSlices: number): RgbImage {
  const data = new Uint8Array(level.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - Math.round(((255 - level.data[i]!) * (zSlices - z)) / zSlices);
  return { data, width: level.width, height: level.height };
}

/**
 * Channel c of a fluorescence level: the brightfield painting's channel c, inverted, as `significantBits`
 * values; at focal plane z of `zSlices`, (zSlices - z) / zSlices of that (dimmer with depth).
 */
export function omeChannel(level: RgbImage, channel: number, significantBits: number, z = 0, zSlices = 1): Uint16Array {
  const out = new Uint16Array(level.width * level.height);
  const max = 2 ** significantBits - 1;
  for (let p = 0; p < out.length; p++) out[p] = Math.round(((255 - level.data[p * 3 + (channel % 3)]!) * max * (zSlices - z)) / (255 * zSlices));
  return out;
}

function xmlEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('"', '&quot;');
}

function omeXml(options: OmeTiffOptions, associated: ReadonlyArray<{ name: string; ifd: number; image: RgbImage }>): string {
  const channels = planeChannels(options);
  const layout = options.rgbLayout ?? 'interleaved';
  const size = options.physicalSize ?? { value: 0.5, unit: 'µm' };
  const physical = `PhysicalSizeX="${size.value}" PhysicalSizeXUnit="${xmlEscape(size.unit)}" PhysicalSizeY="${size.value}" PhysicalSizeYUnit="${xmlEscape(size.unit)}"`;
  const instrument =
    options.objective === undefined
      ? ''
      : `<Instrument ID="Instrument:0"><Objective ID="Objective:0:0" NominalMagnification="${options.objective}"/></Instrument>`;
  const objectiveRefs = options.objective === undefined ? '' : '<InstrumentRef ID="Instrument:0"/><ObjectiveSettings ID="Objective:0:0"/>';
  const type = options.kind === 'rgb' ? 'uint8' : 'uint16';
  const significant = options.kind === 'rgb' ? 8 : (options.significantBits ?? 16);
  const channelXml =
    options.kind === 'rgb' && layout === 'channel-planes'
      ? [0, 1, 2].map((c) => `<Channel ID="Channel:0:${c}" SamplesPerPixel="1" ${options.channelAttributes?.[c] ?? ''}><LightPath/></Channel>`).join('')
      : options.kind === 'rgb'
        ? '<Channel ID="Channel:0:0" SamplesPerPixel="3"><LightPath/></Channel>'
        : Array.from(
            { length: channels },
            (_, c) => `<Channel ID="Channel:0:${c}" Name="${['DAPI', 'FITC', 'TRITC', 'Cy5'][c % 4]}" SamplesPerPixel="1"/>`,
          ).join('');
  const zSlices = options.zSlices ?? 1;
  const tiffData = Array.from({ length: channels * zSlices }, (_, i) => {
    const [c, z] = [i % channels, Math.floor(i / channels)];
    return `<TiffData FirstC="${c}" FirstT="0" FirstZ="${z}" IFD="${i}" PlaneCount="1"/>`;
  }).join('');
  const main =
    `<Image ID="Image:0" Name="synthetic slide"><AcquisitionDate>2026-01-02T03:04:05</AcquisitionDate>${objectiveRefs}` +
    `<Pixels BigEndian="false" DimensionOrder="XYCZT" ID="Pixels:0" Interleaved="${options.kind === 'rgb' && layout === 'interleaved'}" ${physical} SignificantBits="${significant}" ` +
    `SizeC="${options.kind === 'rgb' ? 3 : channels}" SizeT="1" SizeX="${options.width}" SizeY="${options.height}" SizeZ="${zSlices}" Type="${type}">${channelXml}${tiffData}</Pixels></Image>`;
  const others = associated
    .map(
      (a, i) =>
        `<Image ID="Image:${i + 1}" Name="${a.name}"><Pixels BigEndian="false" DimensionOrder="XYCZT" ID="Pixels:${i + 1}" Interleaved="true" SignificantBits="8" SizeC="3" SizeT="1" SizeX="${a.image.width}" SizeY="${a.image.height}" SizeZ="1" Type="uint8">` +
        `<Channel ID="Channel:${i + 1}:0" SamplesPerPixel="3"><LightPath/></Channel><TiffData FirstC="0" FirstT="0" FirstZ="0" IFD="${a.ifd}" PlaneCount="1"/></Pixels></Image>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    '<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ' +
    'Creator="Slidescope test writer" UUID="urn:uuid:00000000-0000-4000-8000-000000000001" ' +
    'xsi:schemaLocation="http://www.openmicroscopy.org/Schemas/OME/2016-06 http://www.openmicroscopy.org/Schemas/OME/2016-06/ome.xsd">' +
    `${instrument}${main}${others}</OME>`
  );
}

/** The OME-XML as the ImageDescription: UTF-8, NUL-terminated (the writer's ASCII check would refuse "µ"). */
function descriptionTag(xml: string) {
  const bytes = new TextEncoder().encode(xml);
  const values = new Uint8Array(bytes.length + 1);
  values.set(bytes);
  return { tag: 270, type: FieldType.ASCII, values } as const;
}

async function writeTiles(
  writer: TiffWriter,
  image: TiffImage,
  tile: number,
  width: number,
  height: number,
  tileOf: (x: number, y: number) => Promise<Uint8Array>,
  /** The first chunk's index: a later colour plane's tiles follow the earlier planes' (PlanarConfiguration 2). */
  first = 0,
): Promise<void> {
  const across = Math.ceil(width / tile);
  for (let row = 0; row * tile < height; row++) {
    for (let col = 0; col < across; col++) await writer.writeChunk(image, first + row * across + col, await tileOf(col * tile, row * tile));
  }
}

/** A tile of an interleaved image (bytes per pixel `bpp`), padded with zeros past its edges. */
function cutTile(data: Uint8Array, width: number, height: number, bpp: number, x: number, y: number, tile: number): Uint8Array {
  const out = new Uint8Array(tile * tile * bpp);
  const w = Math.min(tile, width - x);
  for (let r = 0; r < tile && y + r < height; r++) {
    const from = ((y + r) * width + x) * bpp;
    out.set(data.subarray(from, from + w * bpp), r * tile * bpp);
  }
  return out;
}

/** Planes a (Z, T) has: a fluorescence image's channels, a brightfield one's colours where each is an IFD of its own, else one. */
function planeChannels(options: OmeTiffOptions): number {
  if (options.kind === 'fluorescence') return options.channels ?? 3;
  return options.rgbLayout === 'channel-planes' ? 3 : 1;
}

/** The interleaved tiles' codec. */
function rgbCodec(compression: NonNullable<OmeTiffOptions['compression']>, photometric: 'ycbcr' | 'rgb'): Promise<TileCodec> {
  if (compression === 'jpeg') return createCodec({ kind: 'jpeg', quality: 90, photometric, ...(photometric === 'ycbcr' ? { chroma: '4:2:0' as const } : {}) });
  if (compression === 'none') return createCodec({ kind: 'none' });
  return createCodec({ kind: compression, predictor: true });
}

const GREY_COMPRESSION = { jpeg: Compression.JPEG, lzw: Compression.LZW, deflate: Compression.Deflate, none: Compression.None } as const;

/** One colour of an RGB image as a grey plane. */
function colourPlane(image: RgbImage, colour: number): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) out[p] = image.data[p * 3 + colour]!;
  return out;
}

/** A grey tile in the codec: LZW and Deflate with horizontal differencing, JPEG a whole baseline grey stream. */
async function greyTile(samples: Uint8Array, tile: number, compression: NonNullable<OmeTiffOptions['compression']>): Promise<Uint8Array> {
  if (compression === 'none') return samples;
  if (compression === 'jpeg')
    return new Uint8Array(
      await sharp(samples, { raw: { width: tile, height: tile, channels: 1 } })
        .toColourspace('b-w')
        .jpeg({ quality: 90 })
        .toBuffer(),
    );
  const data = Uint8Array.from(samples);
  applyHorizontalPredictor(data, tile, tile, 1);
  return compression === 'lzw' ? lzwEncode(data) : new Uint8Array(deflateSync(data));
}

export async function writeOmeTiff(path: string, options: OmeTiffOptions): Promise<WrittenSlide> {
  const tile = options.tileSize ?? 256;
  const seed = options.seed ?? 1;
  const levels = omeRgbLevels(options);
  const wantAssociated = options.kind === 'rgb' && options.associated !== false;
  const overview = resizeArea(levels.at(-1)!, 400, Math.max(1, Math.round((400 * options.height) / options.width)));
  const label = makeLabel({ seed, lines: ['OME-TIFF', 'SYNTHETIC', `SEED ${seed}`] });
  const macro = makeMacro({ width: 1000, height: 340, overview, slideWidth: options.width, slideHeight: options.height, mpp: 0.5, label });
  const channels = planeChannels(options);
  const layout = options.rgbLayout ?? 'interleaved';
  const zSlices = options.zSlices ?? 1;
  /** The image's planes in IFD order (XYCZT: channels fastest). */
  const planeOrder = Array.from({ length: channels * zSlices }, (_, i) => ({ c: i % channels, z: Math.floor(i / channels) }));
  const associated = wantAssociated
    ? [
        { name: 'macro', ifd: planeOrder.length, image: macro },
        { name: 'label', ifd: planeOrder.length + 1, image: label },
      ]
    : [];
  const xml = (options.rewriteXml ?? ((x: string) => x))(omeXml(options, associated));
  const compression = options.compression ?? 'jpeg';
  const codec = await rgbCodec(compression, options.jpegPhotometric ?? 'ycbcr');
  const stripCodec = await createCodec({ kind: 'lzw', predictor: true });

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: false });
    try {
      const planes: TiffImage[][] = [];
      for (const { c } of planeOrder) {
        const images: TiffImage[] = [];
        for (const [k, level] of levels.entries()) {
          const common = {
            width: level.width,
            height: level.height,
            layout: { kind: 'tiles', tileWidth: tile, tileHeight: tile } as const,
            software: SOFTWARE,
            ...(k === 0 ? {} : { newSubfileType: 1, subIfdOf: images[0]! }),
            ...(k === 0 && c === 0 ? { extraTags: [descriptionTag(xml)] } : {}),
          };
          images.push(
            options.kind === 'rgb' && layout !== 'interleaved'
              ? writer.addImage({
                  ...common,
                  compression: GREY_COMPRESSION[compression],
                  ...(compression === 'lzw' || compression === 'deflate' ? { predictor: 2 } : {}),
                  ...(layout === 'planar'
                    ? { photometric: Photometric.RGB, samplesPerPixel: 3, planarConfiguration: 2 as const }
                    : { photometric: Photometric.MinIsBlack, samplesPerPixel: 1 }),
                })
              : options.kind === 'rgb'
                ? writer.addImage({
                    ...common,
                    compression: codec.compression,
                    photometric: codec.photometric,
                    ...(codec.jpegTables ? { jpegTables: codec.jpegTables } : {}),
                    ...(codec.ycbcrSubsampling ? { ycbcrSubsampling: codec.ycbcrSubsampling } : {}),
                    ...(codec.predictor ? { predictor: codec.predictor } : {}),
                  })
                : writer.addImage({ ...common, compression: Compression.None, photometric: 1, samplesPerPixel: 1, bitsPerSample: 16 }),
          );
        }
        planes.push(images);
      }
      const associatedImages = associated.map((a) =>
        writer.addImage({
          width: a.image.width,
          height: a.image.height,
          compression: stripCodec.compression,
          photometric: Photometric.RGB,
          predictor: stripCodec.predictor,
          layout: { kind: 'strips', rowsPerStrip: 32 },
          software: SOFTWARE,
        }),
      );
      for (const [i, images] of planes.entries()) {
        const { c, z } = planeOrder[i]!;
        for (const [k, level] of levels.entries()) {
          if (options.kind === 'rgb' && layout !== 'interleaved') {
            const plane = z === 0 ? level : omeRgbPlane(level, z, zSlices);
            // A plane per colour: this IFD's (channel c), or all three in turn (PlanarConfiguration 2).
            for (const colour of layout === 'planar' ? [0, 1, 2] : [c]) {
              const grey = colourPlane(plane, colour);
              await writeTiles(
                writer,
                images[k]!,
                tile,
                level.width,
                level.height,
                (x, y) => greyTile(cutTile(grey, level.width, level.height, 1, x, y, tile), tile, compression),
                colour * images[k]!.chunksPerPlane * (layout === 'planar' ? 1 : 0),
              );
            }
          } else if (options.kind === 'rgb') {
            const plane = z === 0 ? level : omeRgbPlane(level, z, zSlices);
            await writeTiles(writer, images[k]!, tile, level.width, level.height, (x, y) =>
              codec.encode(cutTile(plane.data, level.width, level.height, 3, x, y, tile), tile, tile),
            );
          } else {
            const samples = omeChannel(level, c, options.significantBits ?? 16, z, zSlices);
            const bytes = new Uint8Array(samples.buffer);
            await writeTiles(writer, images[k]!, tile, level.width, level.height, async (x, y) => cutTile(bytes, level.width, level.height, 2, x, y, tile));
          }
        }
      }
      for (const [i, a] of associated.entries()) {
        const image = a.image;
        for (let y = 0, s = 0; y < image.height; y += 32, s++) {
          const rows = Math.min(32, image.height - y);
          await writer.writeChunk(
            associatedImages[i]!,
            s,
            await stripCodec.encode(image.data.slice(y * image.width * 3, (y + rows) * image.width * 3), image.width, rows),
          );
        }
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return {
      width: options.width,
      height: options.height,
      levels: levels.map((l) => ({ width: l.width, height: l.height })),
      associated: Object.fromEntries(associated.map((a) => [a.name, { width: a.image.width, height: a.image.height }])),
    };
  });
}
