// Leica SCN, as the SCN400 writes it: a BigTIFF whose first ImageDescription is an <scn> XML
// collection (the glass slide, sized in nanometres) of images, each placed on it by its view
// (offset and size in nm) and stored as a tiled JPEG pyramid (4x apart) whose dimensions name their
// IFDs. The macro image covers the whole collection; main images cover the scanned regions.

import { createImage, type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import type { WrittenSlide } from '../../electron/synth/slides';
import { type ImageSpec, type TiffImage, TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec } from '../../electron/synth/tile-codecs';
import { BACKGROUND } from '../../electron/synth/tissue';
import { writeAtomically, writeJpegPyramid, xmlEscape } from './vendor-tiff';

export const LEICA_NAMESPACE = 'http://www.leica-microsystems.com/scn/2010/10/01';
/** The first SCN400 firmware's namespace, whose collection carries its barcode, plain, as an attribute. */
export const LEICA_NAMESPACE_2010_03 = 'http://www.leica-microsystems.com/scn/2010/03/10';

export interface LeicaMainImage {
  /** Level-0 size in pixels. */
  width: number;
  height: number;
  /** Where the image's top-left corner lies on the collection, in nm. */
  offsetNm: readonly [number, number];
  /** Default brightfield; fluorescence images get one dimension set per channel. */
  illumination?: 'brightfield' | 'fluorescence';
  seed?: number;
}

export interface LeicaOptions {
  /** The collection (the glass slide area), in nm. */
  collectionNm: readonly [number, number];
  /** Size of a level-0 pixel of the main images, in nm. */
  nmPerPixel: number;
  main: readonly LeicaMainImage[];
  /** The macro image's level-0 size (it covers the whole collection); false for none. */
  macro?: { width: number; height: number } | false;
  /** Default 256 (512 on the scanner; smaller keeps test files small). */
  tileSize?: number;
  /** Main-image levels, 4x apart (default 3). */
  levels?: number;
  quality?: number;
  objective?: string;
  aperture?: string;
  barcode?: string;
  /** Writes the 2010/03/10 namespace (barcode attribute) rather than 2010/10/01 (Base64 barcode element). */
  legacyNamespace?: boolean;
  /** Adds, per main level, a dimension in focal plane z=1 (OpenSlide reads plane 0 only). */
  extraFocalPlane?: boolean;
  /** Replaces the XML (hostile files); `xml` is what the writer would have written. */
  mangleXml?: (xml: string) => string;
  seed?: number;
}

interface Dimension {
  width: number;
  height: number;
  ifd: number;
}

interface ImageXml {
  name: string;
  view: { x: number; y: number; width: number; height: number };
  dimensions: Dimension[];
  illumination: string;
  objective: string;
  aperture: string;
  channels: number;
  extraFocalPlane: boolean;
}

function imageXml(image: ImageXml, index: number): string {
  const dims: string[] = [];
  for (let c = 0; c < image.channels; c++) {
    image.dimensions.forEach((d, r) => {
      const channel = image.channels > 1 ? ` c="${c}"` : '';
      dims.push(`        <dimension sizeX="${d.width}" sizeY="${d.height}" r="${r}"${channel} ifd="${d.ifd}" />`);
      if (image.extraFocalPlane) dims.push(`        <dimension sizeX="${d.width}" sizeY="${d.height}" r="${r}" z="1" ifd="${d.ifd}" />`);
    });
  }
  const channelSettings =
    image.channels > 1
      ? `\n      <channelSettings>\n${Array.from({ length: image.channels }, (_, c) => `        <channel index="${c}" name="channel ${c}" />`).join('\n')}\n      </channelSettings>`
      : '';
  const { x, y, width, height } = image.view;
  return `    <image name="${xmlEscape(image.name)}" uuid="urn:uuid:00000000-0000-4000-8000-00000000000${index}">
      <creationDate>2024-01-02T12:00:0${index}.00Z</creationDate>
      <device model="Leica SCN400;Leica SCN" version="1.5.1.10804 2012/05/10 13:29:07;1.5.1.10864" />
      <pixels sizeX="${image.dimensions[0]!.width}" sizeY="${image.dimensions[0]!.height}">
${dims.join('\n')}
      </pixels>
      <view sizeX="${width}" sizeY="${height}" offsetX="${x}" offsetY="${y}" spacingZ="0" />
      <scanSettings>
        <objectiveSettings>
          <objective>${xmlEscape(image.objective)}</objective>
        </objectiveSettings>
        <illuminationSettings>
          <numericalAperture>${xmlEscape(image.aperture)}</numericalAperture>
          <illuminationSource>${image.illumination}</illuminationSource>
        </illuminationSettings>${channelSettings}
      </scanSettings>
    </image>
`;
}

/** X/YResolution in pixels per centimetre for a pixel size in nm (1e7 nm per cm), as a rational. */
function resolutionFor(nmPerPixel: number): ImageSpec['resolution'] {
  const scale = 1000;
  const r: [number, number] = [Math.round((1e7 / nmPerPixel) * scale), scale];
  return { x: r, y: r, unit: 3 };
}

export async function writeLeicaScn(path: string, options: LeicaOptions): Promise<WrittenSlide> {
  const tileSize = options.tileSize ?? 256;
  const levels = options.levels ?? 3;
  const quality = options.quality ?? 80;
  const seed = options.seed ?? 1;
  const [collectionWidth, collectionHeight] = options.collectionNm;
  const macroSize = options.macro === undefined ? { width: 640, height: Math.round((640 * collectionHeight) / collectionWidth) } : options.macro;

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: true });
    try {
      const images: ImageXml[] = [];
      const tiled = { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize } as const;
      // The macro comes first, as the scanner writes it: its level 0 holds the XML.
      const macroCodec = await createCodec({ kind: 'jpeg', quality, photometric: 'ycbcr', chroma: '4:2:0' });
      const macroLevels: Array<{ image: TiffImage; width: number; height: number }> = [];
      if (macroSize) {
        for (const [k, scale] of [1, 4].entries()) {
          const width = Math.max(1, Math.floor(macroSize.width / scale));
          const height = Math.max(1, Math.floor(macroSize.height / scale));
          const image = writer.addImage({
            width,
            height,
            compression: macroCodec.compression,
            photometric: macroCodec.photometric,
            layout: tiled,
            newSubfileType: k > 0 ? 1 : 0,
            ...(macroCodec.jpegTables ? { jpegTables: macroCodec.jpegTables } : {}),
            ...(macroCodec.ycbcrSubsampling ? { ycbcrSubsampling: macroCodec.ycbcrSubsampling } : {}),
          });
          macroLevels.push({ image, width, height });
        }
        images.push({
          name: 'macro',
          view: { x: 0, y: 0, width: collectionWidth, height: collectionHeight },
          dimensions: macroLevels.map((l, k) => ({ width: l.width, height: l.height, ifd: k })),
          illumination: 'brightfield',
          objective: '1.25',
          aperture: '0.04',
          channels: 1,
          extraFocalPlane: false,
        });
      }
      let nextIfd = macroLevels.length;
      const macro = macroSize ? createImage(macroSize.width, macroSize.height, [222, 224, 228]) : undefined;
      let first: TiffImage | undefined = macroLevels[0]?.image;
      const written: WrittenSlide['levels'] = [];
      for (const [i, main] of options.main.entries()) {
        const dims: Dimension[] = [];
        const { sizes, overview } = await writeJpegPyramid(writer, {
          width: main.width,
          height: main.height,
          tileSize,
          levels,
          factor: 4,
          quality,
          seed: main.seed ?? seed + i,
          overviewMaxSide: 1024,
          declare: (level, size, tags) => {
            dims.push({ width: size.width, height: size.height, ifd: nextIfd++ });
            const image = writer.addImage({
              width: size.width,
              height: size.height,
              layout: tiled,
              newSubfileType: level > 0 ? 1 : 0,
              resolution: resolutionFor(options.nmPerPixel * (main.width / size.width)),
              ...tags,
            });
            first ??= image;
            return image;
          },
        });
        if (i === 0) written.push(...sizes);
        const view = { x: main.offsetNm[0], y: main.offsetNm[1], width: main.width * options.nmPerPixel, height: main.height * options.nmPerPixel };
        const fluorescence = main.illumination === 'fluorescence';
        images.push({
          name: `region ${i}`,
          view,
          dimensions: dims,
          illumination: main.illumination ?? 'brightfield',
          objective: options.objective ?? '20',
          aperture: options.aperture ?? '0.4',
          channels: fluorescence ? 3 : 1,
          extraFocalPlane: options.extraFocalPlane ?? false,
        });
        if (macro && overview) {
          // The region as the macro camera saw it, at its place on the glass.
          const sx = macro.width / collectionWidth;
          const sy = macro.height / collectionHeight;
          const w = Math.max(1, Math.round(view.width * sx));
          const h = Math.max(1, Math.round(view.height * sy));
          const scan = resizeArea({ data: overview.data, width: overview.width, height: overview.height }, w, h);
          blitClipped(macro, scan, Math.round(view.x * sx), Math.round(view.y * sy));
        }
      }
      if (macro) {
        await writeImageTiles(writer, macroLevels[0]!.image, macro, tileSize, macroCodec.encode);
        const small = resizeArea(macro, macroLevels[1]!.width, macroLevels[1]!.height);
        await writeImageTiles(writer, macroLevels[1]!.image, small, tileSize, macroCodec.encode);
      }
      const legacy = options.legacyNamespace ?? false;
      const barcode = options.barcode ?? (legacy ? `SLIDESCOPE-${seed}` : Buffer.from(`SLIDESCOPE-${seed}`).toString('base64'));
      const barcodeAttribute = legacy ? ` barcode="${xmlEscape(barcode)}"` : '';
      const barcodeElement = legacy ? '' : `    <barcode>${xmlEscape(barcode)}</barcode>\n`;
      const xml = `<?xml version="1.0" encoding="utf-8"?>
<scn xmlns="${legacy ? LEICA_NAMESPACE_2010_03 : LEICA_NAMESPACE}">
  <collection name="synthetic-${seed}" uuid="urn:uuid:00000000-0000-4000-8000-000000000000" sizeX="${collectionWidth}" sizeY="${collectionHeight}"${barcodeAttribute}>
${barcodeElement}${images.map(imageXml).join('')}  </collection>
</scn>
`;
      first!.spec.description = options.mangleXml ? options.mangleXml(xml) : xml;
      await writer.close();
      const main0 = options.main[0]!;
      return {
        width: main0.width,
        height: main0.height,
        levels: written,
        associated: macroSize ? { macro: { width: macroSize.width, height: macroSize.height } } : ({} as Record<string, { width: number; height: number }>),
      };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}

/** Copies src into dst at (x, y), clipped on every side. */
function blitClipped(dst: RgbImage, src: RgbImage, x: number, y: number): void {
  for (let sy = Math.max(0, -y); sy < src.height && y + sy < dst.height; sy++) {
    const sx0 = Math.max(0, -x);
    const sx1 = Math.min(src.width, dst.width - x);
    if (sx1 <= sx0) continue;
    const s = (sy * src.width + sx0) * 3;
    dst.data.set(src.data.subarray(s, s + (sx1 - sx0) * 3), ((y + sy) * dst.width + x + sx0) * 3);
  }
}

/** Writes an image as full tiles, padded with the slide background. */
async function writeImageTiles(
  writer: TiffWriter,
  image: TiffImage,
  rgb: RgbImage,
  tileSize: number,
  encode: (rgb: Uint8Array, width: number, height: number) => Promise<Uint8Array>,
): Promise<void> {
  for (let row = 0; row < image.chunksDown; row++) {
    for (let col = 0; col < image.chunksAcross; col++) {
      const tile = createImage(tileSize, tileSize, BACKGROUND);
      blitClipped(tile, rgb, -col * tileSize, -row * tileSize);
      await writer.writeChunk(image, row * image.chunksAcross + col, await encode(tile.data, tileSize, tileSize));
    }
  }
}
