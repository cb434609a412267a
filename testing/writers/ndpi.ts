// Writes Hamamatsu NDPI files as a NanoZoomer lays them out, for tests and the benchmark: each
// stored level one JPEG with restart markers (the MCU-starts tag recording where each interval
// begins, or not), the NDPI tags OpenSlide reads, a macro image, and optionally everything past a
// sparse 4 GB gap so that offsets need NDPI's implied high bits. OpenSlide 3.4.1 must open what
// this writes as vendor "hamamatsu" - the tests check it - before our reader is compared with it.

import turbo from '@julusian/jpeg-turbo';
import { assembleRestartJpeg, readRestartJpegHeader } from '../../electron/engine/codecs/jpeg-restart';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { buildPyramid, pyramidLevelSizes } from '../../electron/synth/pyramid';
import { type WrittenSlide, writeAtomically } from '../../electron/synth/slides';
import { ascii, FieldType, type RawTag, TiffWriter } from '../../electron/synth/tiff-writer';
import { TissuePainter } from '../../electron/synth/tissue';

export interface NdpiOptions {
  /** Level 0 size: each stored level's sides must be whole restart intervals and MCU rows. */
  width: number;
  height: number;
  /** Stored levels as halvings of level 0 (NanoZoomer: [0, 1, 2, 3] or [0, 2, 4]). */
  storedHalvings: readonly number[];
  /**
   * No 4:2:0: OpenSlide 3.4.1 cannot decode an interval of a 4:2:0 level taller than one MCU row
   * (libjpeg's fancy upsampling reads the next MCU row, past the interval).
   */
  chroma: '4:2:2' | '4:4:4';
  quality: number;
  /** MCUs per restart interval. */
  restartInterval: number;
  /** Record the intervals' starts in tag 65426 (else readers must scan for the markers). */
  recordMcuStarts: boolean;
  /** Objective of level 0 (tag 65421). */
  sourceLens: number;
  /** Microns per pixel at level 0. */
  mpp: number;
  macro: boolean;
  /** Bytes of hole before the data: 2^32 puts every offset past 4 GB. */
  gapBytes?: number;
  seed: number;
}

const NDPI = { FormatFlag: 65420, SourceLens: 65421, XOffset: 65422, YOffset: 65423, FocalPlane: 65424, McuStarts: 65426, PropertyMap: 65449 };
const PROPERTY_MAP = ['Created=2026/12/02', 'Product=C0000-00 (Slidescope test)', 'NDP.S/N=000000', 'Objective.Lens.Magnificant=40.0', 'system.version=1.0'];
const DRI = 0xdd;

interface Encoded {
  /** The level JPEG's header: the first interval's, with a restart interval added. */
  header: Uint8Array;
  scans: Uint8Array[];
}

function subsampling(chroma: NdpiOptions['chroma']): number {
  return chroma === '4:2:2' ? turbo.SAMP_422 : turbo.SAMP_444;
}

/** One interval's JPEG: its header and entropy-coded data. */
function encodeInterval(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: Pick<NdpiOptions, 'chroma' | 'quality'>,
): { header: Uint8Array; scan: Uint8Array } {
  const jpeg = turbo.compressSync(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), {
    format: turbo.FORMAT_RGB,
    width,
    height,
    quality: options.quality,
    subsampling: subsampling(options.chroma),
  });
  const parsed = readRestartJpegHeader(jpeg);
  if (typeof parsed === 'string') throw new Error(`libjpeg-turbo wrote a JPEG we cannot parse: ${parsed}`);
  return { header: parsed.header, scan: jpeg.subarray(parsed.header.length, jpeg.length - 2) };
}

/** Inserts DRI before the SOS segment at the end of a header. */
function withRestartInterval(header: Uint8Array, interval: number): Uint8Array {
  let sos = 2;
  while (header[sos + 1] !== 0xda) sos += 2 + ((header[sos + 2]! << 8) | header[sos + 3]!);
  const dri = Uint8Array.of(0xff, DRI, 0, 4, interval >> 8, interval & 255);
  return Buffer.concat([header.subarray(0, sos), dri, header.subarray(sos)]);
}

/**
 * A whole image as one JPEG with restart markers every `restartInterval` MCUs, each interval one MCU
 * row tall (as NanoZoomer and VMS files have them); the sides must be whole intervals and MCU rows.
 */
export function encodeRestartJpeg(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: Pick<NdpiOptions, 'chroma' | 'quality' | 'restartInterval'>,
): Uint8Array {
  const mcuWidth = options.chroma === '4:2:2' ? 16 : 8;
  const mcuHeight = 8;
  const intervalWidth = mcuWidth * options.restartInterval;
  if (width % intervalWidth !== 0 || height % mcuHeight !== 0)
    throw new Error(`${width} x ${height} is not whole intervals of ${intervalWidth} x ${mcuHeight}`);
  const band = new Uint8Array(intervalWidth * mcuHeight * 3);
  const scans: Uint8Array[] = [];
  let header: Uint8Array = new Uint8Array(0);
  for (let y = 0; y < height; y += mcuHeight) {
    for (let x = 0; x < width; x += intervalWidth) {
      for (let r = 0; r < mcuHeight; r++) band.set(rgb.subarray(((y + r) * width + x) * 3, ((y + r) * width + x + intervalWidth) * 3), r * intervalWidth * 3);
      const interval = encodeInterval(band, intervalWidth, mcuHeight, options);
      if (scans.length === 0) header = withRestartInterval(interval.header, options.restartInterval);
      scans.push(interval.scan);
    }
  }
  const parsed = readRestartJpegHeader(header);
  if (typeof parsed === 'string') throw new Error(parsed);
  return assembleRestartJpeg(parsed, width, height, scans);
}

export async function writeNdpi(path: string, options: NdpiOptions): Promise<WrittenSlide> {
  const mcuWidth = options.chroma === '4:2:2' ? 16 : 8;
  const mcuHeight = 8;
  const intervalWidth = mcuWidth * options.restartInterval;
  const tile = Math.max(256, intervalWidth);
  if (tile % intervalWidth !== 0) throw new Error(`restart intervals of ${intervalWidth} px do not tile ${tile}`);
  const halvings = [...options.storedHalvings].sort((a, b) => a - b);
  const sizes = pyramidLevelSizes(options.width, options.height, 2, halvings.at(-1)! + 1);
  for (const k of halvings) {
    const s = sizes[k]!;
    if (s.width % intervalWidth !== 0 || s.height % mcuHeight !== 0)
      throw new Error(`level ${k} (${s.width} x ${s.height}) is not whole intervals of ${intervalWidth} x ${mcuHeight}`);
  }
  const encoded = new Map<number, Encoded>(halvings.map((k) => [k, { header: new Uint8Array(0), scans: [] }]));
  const pendingRows = new Map<number, Uint8Array[]>();

  const painter = new TissuePainter({ width: options.width, height: options.height, seed: options.seed });
  const overview = await buildPyramid({
    painter,
    tileSize: tile,
    factor: 2,
    levels: halvings.at(-1)! + 1,
    overviewMaxSide: 1024,
    encodeTile: async (rgb) => rgb,
    writeTile: async (level, index, rgb) => {
      const out = encoded.get(level);
      if (!out) return;
      const { width, height } = sizes[level]!;
      const cols = Math.ceil(width / tile);
      const row = pendingRows.get(level) ?? [];
      row.push(rgb);
      pendingRows.set(level, row);
      if (index % cols !== cols - 1) return;
      pendingRows.delete(level);
      // A tile row complete: its intervals, in raster order across the level.
      const y0 = Math.floor(index / cols) * tile;
      const band = new Uint8Array(intervalWidth * mcuHeight * 3);
      for (let by = 0; by < tile && y0 + by < height; by += mcuHeight) {
        for (let c = 0; c < cols; c++) {
          for (let ix = 0; ix < tile && c * tile + ix < width; ix += intervalWidth) {
            const src = row[c]!;
            for (let r = 0; r < mcuHeight; r++) {
              const at = ((by + r) * tile + ix) * 3;
              band.set(src.subarray(at, at + intervalWidth * 3), r * intervalWidth * 3);
            }
            const { header, scan } = encodeInterval(band, intervalWidth, mcuHeight, options);
            if (out.scans.length === 0) out.header = withRestartInterval(header, options.restartInterval);
            out.scans.push(scan);
          }
        }
      }
    },
  });
  if (!overview) throw new Error('the pyramid builder gave no overview');

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { ndpi: true, ...(options.gapBytes ? { gapBytes: options.gapBytes } : {}) });
    try {
      const common = (k: number, lens: number): RawTag[] => [
        { tag: 271, type: FieldType.ASCII, values: ascii('Hamamatsu') },
        { tag: 272, type: FieldType.ASCII, values: ascii('C0000-00') },
        { tag: 306, type: FieldType.ASCII, values: ascii('2026:12:02 12:00:00') },
        { tag: NDPI.FormatFlag, type: FieldType.LONG, values: [1] },
        { tag: NDPI.SourceLens, type: FieldType.FLOAT, values: [lens] },
        { tag: NDPI.XOffset, type: FieldType.SLONG, values: [k === -1 ? 0 : 1_234_567] },
        { tag: NDPI.YOffset, type: FieldType.SLONG, values: [k === -1 ? 0 : -98_765] },
        { tag: NDPI.FocalPlane, type: FieldType.SLONG, values: [0] },
        { tag: NDPI.PropertyMap, type: FieldType.ASCII, values: ascii(PROPERTY_MAP.join('\r\n')) },
      ];
      const resolution = (mpp: number) => {
        const perCm = Math.round(10_000 / mpp);
        return { x: [perCm, 1] as const, y: [perCm, 1] as const, unit: 3 as const };
      };
      for (const k of halvings) {
        const { width, height } = sizes[k]!;
        const level = encoded.get(k)!;
        const parsed = readRestartJpegHeader(level.header);
        if (typeof parsed === 'string') throw new Error(parsed);
        // Frames cannot declare more than 65535: NanoZoomer writes 0 there, and readers use the TIFF tags.
        const jpeg = assembleRestartJpeg(parsed, width > 65535 ? 0 : width, height > 65535 ? 0 : height, level.scans);
        const starts: number[] = [];
        let at = level.header.length;
        for (const scan of level.scans) {
          starts.push(at);
          at += scan.length + 2;
        }
        const image = writer.addImage({
          width,
          height,
          compression: 7,
          photometric: 6,
          layout: { kind: 'strips', rowsPerStrip: height },
          software: 'NDP.scan (Slidescope test writer)',
          ycbcrSubsampling: options.chroma === '4:2:2' ? [2, 1] : [1, 1],
          resolution: resolution(options.mpp * 2 ** k),
          extraTags: [
            ...common(k, options.sourceLens / 2 ** k),
            ...(options.recordMcuStarts ? [{ tag: NDPI.McuStarts, type: FieldType.LONG, values: starts }] : []),
          ],
        });
        await writer.writeChunk(image, 0, jpeg);
      }
      const associated: WrittenSlide['associated'] = {};
      if (options.macro) {
        const label = makeLabel({ seed: options.seed, lines: ['NDPI', `seed ${options.seed}`] });
        const macro = makeMacro({ overview, slideWidth: options.width, slideHeight: options.height, mpp: options.mpp, label, width: 1188, height: 406 });
        const image = writer.addImage({
          width: macro.width,
          height: macro.height,
          compression: 7,
          photometric: 6,
          layout: { kind: 'strips', rowsPerStrip: macro.height },
          resolution: resolution(75_000 / macro.width),
          extraTags: common(-1, -1).filter((t) => t.tag !== NDPI.FocalPlane),
        });
        const jpeg = turbo.compressSync(Buffer.from(macro.data.buffer, macro.data.byteOffset, macro.data.byteLength), {
          format: turbo.FORMAT_RGB,
          width: macro.width,
          height: macro.height,
          quality: 90,
          subsampling: turbo.SAMP_420,
        });
        await writer.writeChunk(image, 0, jpeg);
        associated.macro = { width: macro.width, height: macro.height };
      }
      await writer.close();
      return { width: options.width, height: options.height, levels: halvings.map((k) => sizes[k]!), associated };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}
