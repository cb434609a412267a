// Philips TIFF, as the Philips IntelliSite exporter writes it: a tiled JPEG pyramid (2x apart) whose
// levels are declared padded to whole tiles, Software "Philips...", and the DPUfsImport XML in the
// first ImageDescription, holding the metadata (DICOM-named attributes), every level's pixel spacing
// and the label and macro images as Base64 JPEGs (newer exporters store them as TIFF directories
// instead). Tiles may be absent (offset and byte count 0): the exporter leaves out tiles outside the
// scanned regions.

import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { type RgbImage, rowsOf } from '../../electron/synth/image-ops';
import type { WrittenSlide } from '../../electron/synth/slides';
import { type TiffImage, TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec } from '../../electron/synth/tile-codecs';
import { standaloneJpeg, writeAtomically, writeJpegPyramid, xmlEscape } from './vendor-tiff';

export interface PhilipsOptions {
  /** Level-0 size of the scanned content (the TIFF declares it padded to whole tiles). */
  width: number;
  height: number;
  /** Default 512, as the exporter writes. */
  tileSize?: number;
  /** Levels 2x apart (default 3). */
  levels?: number;
  quality?: number;
  /** Pixel spacing of level 0 in mm, rows then columns (DICOM order); default 0.00025 x 0.000251. */
  spacingMm?: readonly [number, number];
  bigTiff?: boolean;
  /** A level-0 rectangle left unscanned: every tile lying wholly inside it is absent, at every level. */
  unscanned?: { x: number; y: number; width: number; height: number };
  /**
   * Where the label and macro are: Base64 JPEGs in the XML (the default), JPEG-strip TIFF
   * directories described "Label" and "Macro" after the pyramid (newer exporters), or none.
   */
  associated?: 'xml' | 'directories' | 'none';
  /** Replaces the XML (hostile files); `xml` is what the writer would have written. */
  mangleXml?: (xml: string) => string;
  seed?: number;
}

export const PHILIPS_SOFTWARE = 'Philips DP v1.0';

interface Attribute {
  name: string;
  /** Philips's value representation, as the exporter names it (IString, IDoubleArray...). */
  vr: string;
  value: string | Attribute[][];
}

const leaf = (name: string, vr: string, value: string): Attribute => ({ name, vr, value });
/** A value list as Philips writes one: each item quoted, space-separated. */
const quoted = (...items: string[]) => items.map((i) => `"${i}"`).join(' ');

function renderAttributes(attributes: Attribute[], indent: string): string {
  return attributes
    .map((a) => {
      const open = `${indent}<Attribute Name="${a.name}" PMSVR="${a.vr}">`;
      if (typeof a.value === 'string') return `${open}${xmlEscape(a.value)}</Attribute>\n`;
      const objects = a.value
        .map((o) => `${indent}\t\t<DataObject ObjectType="${objectType(a.name)}">\n${renderAttributes(o, `${indent}\t\t\t`)}${indent}\t\t</DataObject>\n`)
        .join('');
      return `${open}\n${indent}\t<Array>\n${objects}${indent}\t</Array>\n${indent}</Attribute>\n`;
    })
    .join('');
}

function objectType(arrayName: string): string {
  return arrayName === 'PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE'
    ? 'PixelDataRepresentation'
    : arrayName === 'PIM_DP_SCANNED_IMAGES'
      ? 'DPScannedImage'
      : 'DPObject';
}

export interface PhilipsXmlInput {
  /** Per level: declared (padded) size and pixel spacing in mm (rows, columns). */
  levels: Array<{ width: number; height: number; spacing: readonly [number, number] }>;
  label?: Uint8Array;
  macro?: Uint8Array;
  seed: number;
}

/** The DPUfsImport document, with the attributes a real export carries (and a few edge cases). */
export function philipsXml(input: PhilipsXmlInput): string {
  const spacing = (s: readonly [number, number]) => quoted(String(s[0]), String(s[1]));
  const representations = input.levels.map((level, k) => [
    leaf('DICOM_PIXEL_SPACING', 'IDoubleArray', spacing(level.spacing)),
    leaf('PIIM_DP_PIXEL_DATA_REPRESENTATION_POSITION', 'IDoubleArray', quoted('0', '0', '0')),
    leaf('PIIM_PIXEL_DATA_REPRESENTATION_COLUMNS', 'IUInt32', String(level.width)),
    leaf('PIIM_PIXEL_DATA_REPRESENTATION_NUMBER', 'IUInt16', String(k)),
    leaf('PIIM_PIXEL_DATA_REPRESENTATION_ROWS', 'IUInt32', String(level.height)),
  ]);
  const wsi: Attribute[] = [
    leaf(
      'DICOM_DERIVATION_DESCRIPTION',
      'IString',
      `tiff-useBigTIFF=1-useRgb=0-levels=10002,10000,10001-processing=0-q80-sourceFilename="synthetic-${input.seed}"`,
    ),
    leaf('DICOM_LOSSY_IMAGE_COMPRESSION', 'IString', '01'),
    leaf('DICOM_LOSSY_IMAGE_COMPRESSION_METHOD', 'IStringArray', quoted('PHILIPS_DP_1_0')),
    leaf('DICOM_LOSSY_IMAGE_COMPRESSION_RATIO', 'IDoubleArray', quoted('3')),
    leaf('DICOM_PIXEL_SPACING', 'IDoubleArray', spacing(input.levels[0]!.spacing)),
    leaf('PIM_DP_IMAGE_COLUMNS', 'IUInt32', String(input.levels[0]!.width)),
    leaf('PIM_DP_IMAGE_ROWS', 'IUInt32', String(input.levels[0]!.height)),
    leaf('PIM_DP_IMAGE_TYPE', 'IString', 'WSI'),
    leaf('PIIM_DP_SCANNER_RACK_NUMBER', 'IUInt16', '1'),
    leaf('PIIM_DP_SCANNER_SLOT_NUMBER', 'IUInt16', String(1 + (input.seed % 15))),
    // A nested object that is neither of the two arrays OpenSlide reads into: not a property.
    { name: 'PIM_DP_SOURCE_FILES', vr: 'IDataObjectArray', value: [[leaf('PIM_DP_SOURCE_FILE', 'IString', 'synthetic.isyntax')]] },
    { name: 'PIIM_PIXEL_DATA_REPRESENTATION_SEQUENCE', vr: 'IDataObjectArray', value: representations },
  ];
  const associated = (type: string, jpeg: Uint8Array): Attribute[] => [
    leaf('DICOM_DERIVATION_DESCRIPTION', 'IString', 'scanner-native'),
    leaf('PIM_DP_IMAGE_DATA', 'IString', Buffer.from(jpeg).toString('base64')),
    leaf('PIM_DP_IMAGE_TYPE', 'IString', type),
  ];
  const scanned: Attribute[][] = [wsi];
  if (input.label) scanned.push(associated('LABELIMAGE', input.label));
  if (input.macro) scanned.push(associated('MACROIMAGE', input.macro));
  const top: Attribute[] = [
    leaf('DICOM_ACQUISITION_DATETIME', 'IString', '20240102120000.000000'),
    leaf('DICOM_DATE_OF_LAST_CALIBRATION', 'IStringArray', quoted('20240101')),
    leaf('DICOM_MANUFACTURER', 'IString', 'PHILIPS'),
    leaf('DICOM_MANUFACTURERS_MODEL_NAME', 'IString', 'UFS Scanner'),
    leaf('DICOM_SOFTWARE_VERSIONS', 'IStringArray', quoted('1.8.6824', '20180906_R51')),
    leaf('PIM_DP_SCANNER_OPERATOR_ID', 'IString', 'Slidescope <tests> & co'),
    leaf('PIM_DP_UFS_BARCODE', 'IString', Buffer.from(`SLIDESCOPE-${input.seed}`).toString('base64')),
    leaf('PIM_DP_UFS_INTERFACE_VERSION', 'IString', '5.0'),
    { name: 'PIM_DP_SCANNED_IMAGES', vr: 'IDataObjectArray', value: scanned },
  ];
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<DataObject ObjectType="DPUfsImport">\n${renderAttributes(top, '\t')}</DataObject>\n`;
}

export async function writePhilipsTiff(path: string, options: PhilipsOptions): Promise<WrittenSlide> {
  const { width, height } = options;
  const tileSize = options.tileSize ?? 512;
  const levels = options.levels ?? 3;
  const seed = options.seed ?? 1;
  const spacing0 = options.spacingMm ?? [0.00025, 0.000251];
  const padded = (n: number) => Math.ceil(n / tileSize) * tileSize;
  const unscanned = options.unscanned;
  // A level-k tile is absent when its level-0 footprint lies wholly in the unscanned rectangle.
  const stored = (level: number, col: number, row: number): boolean => {
    if (!unscanned) return true;
    const k = 2 ** level;
    const x0 = col * tileSize * k;
    const y0 = row * tileSize * k;
    const x1 = Math.min(x0 + tileSize * k, width);
    const y1 = Math.min(y0 + tileSize * k, height);
    return !(x0 >= unscanned.x && y0 >= unscanned.y && x1 <= unscanned.x + unscanned.width && y1 <= unscanned.y + unscanned.height);
  };

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: options.bigTiff ?? false });
    try {
      // The XML holds the label and macro, drawn from the pyramid's overview: the first IFD's
      // description is set once the pyramid is written (IFDs are written at close).
      const declared: Array<{ width: number; height: number; spacing: readonly [number, number] }> = [];
      let first: TiffImage | undefined;
      const { sizes, overview } = await writeJpegPyramid(writer, {
        width,
        height,
        tileSize,
        levels,
        factor: 2,
        quality: options.quality ?? 80,
        seed,
        overviewMaxSide: 2048,
        stored,
        declare: (level, size, tags) => {
          const k = 2 ** level;
          declared.push({ width: padded(size.width), height: padded(size.height), spacing: [spacing0[0] * k, spacing0[1] * k] });
          const image = writer.addImage({
            width: padded(size.width),
            height: padded(size.height),
            layout: { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize },
            newSubfileType: level > 0 ? 1 : 0,
            ...tags,
            ...(level === 0 ? { software: PHILIPS_SOFTWARE } : {}),
          });
          if (level === 0) first = image;
          return image;
        },
      });
      const associated: { label?: Uint8Array; macro?: Uint8Array } = {};
      const dims: Record<string, { width: number; height: number }> = {};
      const storage = options.associated ?? 'xml';
      if (storage !== 'none') {
        const label = makeLabel({ seed, lines: ['PHILIPS', 'SYNTHETIC', `SEED ${seed}`] });
        const ov: RgbImage = { data: overview!.data, width: overview!.width, height: overview!.height };
        const macro = makeMacro({ width: 1024, height: 345, overview: ov, slideWidth: width, slideHeight: height, mpp: spacing0[1] * 1000, label });
        if (storage === 'xml') {
          associated.label = await standaloneJpeg(label);
          associated.macro = await standaloneJpeg(macro);
        } else {
          await writeJpegStripImage(writer, label, 'Label');
          await writeJpegStripImage(writer, macro, 'Macro');
        }
        dims.label = { width: label.width, height: label.height };
        dims.macro = { width: macro.width, height: macro.height };
      }
      const xml = philipsXml({ levels: declared, seed, ...associated });
      first!.spec.description = options.mangleXml ? options.mangleXml(xml) : xml;
      await writer.close();
      return { width, height, levels: sizes, associated: dims };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}

/** An associated image as a JPEG-strip directory (16 rows a strip) with its description. */
async function writeJpegStripImage(writer: TiffWriter, image: RgbImage, description: string): Promise<void> {
  const codec = await createCodec({ kind: 'jpeg', quality: 85, photometric: 'ycbcr', chroma: '4:2:0' });
  const rowsPerStrip = 16;
  const strip = writer.addImage({
    width: image.width,
    height: image.height,
    compression: codec.compression,
    photometric: codec.photometric,
    layout: { kind: 'strips', rowsPerStrip },
    newSubfileType: 1,
    description,
    ...(codec.jpegTables ? { jpegTables: codec.jpegTables } : {}),
    ...(codec.ycbcrSubsampling ? { ycbcrSubsampling: codec.ycbcrSubsampling } : {}),
  });
  for (let y = 0, i = 0; y < image.height; y += rowsPerStrip, i++) {
    const rows = Math.min(rowsPerStrip, image.height - y);
    await writer.writeChunk(strip, i, await codec.encode(Uint8Array.from(rowsOf(image, y, rows)), image.width, rows));
  }
}
