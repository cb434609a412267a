// Test-only writer of DICOM whole-slide images (VL Whole Slide Microscopy Image Storage), the few
// tags a reader needs written by hand, deterministically (UIDs derived from a seed): a series per
// slide, a file per pyramid level (or several: a concatenation's parts), and the label, overview
// and thumbnail. Its pixels come from an Aperio SVS the engine reads: JPEG tiles are copied as
// frames unchanged (so the DICOM pyramid must read exactly as the SVS does), other codecs re-encode
// the decoded tiles. Frames TILED_FULL or TILED_SPARSE (some left out, placed by Plane Position
// (Slide) in reverse order), located by a Basic or Extended Offset Table or by none, in one
// fragment or two; explicit or implicit VR.

import { createHash } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import sharp from 'sharp';
import { openSlideSource } from '../../electron/engine/formats';
import { joined } from '../../electron/engine/formats/dicom/dicom-fragments';
import type { SlideSource } from '../../electron/engine/slide-source';
import { J2kTileEncoder } from '../../electron/synth/jpeg2000-tiles';
import type { WrittenSlide } from '../../electron/synth/slides';
import type { RgbImage } from '../../shared/slide';

export type DicomCodec =
  /** The SVS's JPEG tiles as they are: RGB (Aperio's RGB photometric) or YBR_FULL_422. */
  | 'jpeg'
  /** JPEG 2000 lossless, the codestream's reversible transform on, said as RGB. */
  | 'jpeg2000'
  /** JPEG 2000 lossy with its irreversible component transform (YBR_ICT). */
  | 'jpeg2000-ict'
  /** JPEG 2000 lossy of Y, Cb, Cr without a component transform, said as YBR_ICT (Aperio 33003's way). */
  | 'jpeg2000-ycbcr'
  /** JPEG-LS lossless (CharLS). */
  | 'jpeg-ls'
  /** Uncompressed. */
  | 'native';

export interface DicomSeriesOptions {
  /** Seeds the UIDs: two series of one folder need different seeds. */
  seed: number;
  codec: DicomCodec;
  /** MONOCHROME2: the tiles' green channel (native and JPEG-LS frames only). */
  grey?: boolean;
  /** TILED_SPARSE at level 0, with the tiles whose (col + 3 row) % sparseEvery === 1 left out. */
  sparseEvery?: number;
  /** Level 0 split into this many files (a concatenation). */
  level0Parts?: number;
  offsetTable?: 'basic' | 'extended' | 'none';
  /** Each frame in two fragments (JPEG 2000 splits where it likes; a reader must join them). */
  twoFragments?: boolean;
  /** Implicit VR little endian (native frames only). */
  implicitVr?: boolean;
  /** Label (native RGB), overview (JPEG) and thumbnail (JPEG) from the SVS's label, macro and thumbnail. */
  associated?: boolean;
  /** An ICC profile in the optical path (bytes that name themselves: not a real profile). */
  icc?: boolean;
  /** Per-frame functional groups of undefined length (TILED_SPARSE only). */
  undefinedLengthItems?: boolean;
  /** Series Description. */
  description?: string;
  /** Levels of the SVS to write (default: all). */
  levels?: number;
}

export interface WrittenDicomFile {
  path: string;
  /** 'level' (its index in the SVS) or the associated image's OpenSlide name. */
  image: 'level' | 'label' | 'macro' | 'thumbnail';
  level: number;
  part: number;
}

export interface WrittenDicomFolder extends WrittenSlide {
  files: WrittenDicomFile[];
}

const WSI = '1.2.840.10008.5.1.4.1.1.77.1.6';
const TS = {
  implicit: '1.2.840.10008.1.2',
  explicit: '1.2.840.10008.1.2.1',
  jpeg: '1.2.840.10008.1.2.4.50',
  jpegLs: '1.2.840.10008.1.2.4.80',
  j2kLossless: '1.2.840.10008.1.2.4.90',
  j2k: '1.2.840.10008.1.2.4.91',
};
const PIXEL_SPACING_MM = 0.000499;
const OBJECTIVE = 20;
export const TEST_ICC_PROFILE = new TextEncoder().encode('slidescope test ICC profile, not a real one.');

/** A deterministic UID under 2.25 (a UUID as a decimal number). */
function uid(...parts: Array<string | number>): string {
  const hash = createHash('sha256').update(parts.join('/')).digest();
  return `2.25.${BigInt(`0x${hash.subarray(0, 15).toString('hex')}`).toString()}`;
}

// --- Element encoding -------------------------------------------------------------------------

const LONG_VRS = new Set(['OB', 'OW', 'OV', 'SQ', 'UN', 'UT', 'UC', 'UR', 'OL', 'OD', 'OF']);

class Encoder {
  constructor(readonly explicit: boolean) {}

  element(tag: number, vr: string, value: Uint8Array): Uint8Array {
    const length = value.length;
    const long = !this.explicit || LONG_VRS.has(vr);
    const header = new Uint8Array(this.explicit ? (long ? 12 : 8) : 8);
    const view = new DataView(header.buffer);
    view.setUint16(0, tag >>> 16, true);
    view.setUint16(2, tag & 0xffff, true);
    if (this.explicit) {
      header[4] = vr.charCodeAt(0);
      header[5] = vr.charCodeAt(1);
      if (long) view.setUint32(8, length, true);
      else view.setUint16(6, length, true);
    } else {
      view.setUint32(4, length, true);
    }
    return joined([header, value]);
  }

  text(tag: number, vr: string, value: string | string[]): Uint8Array {
    let text = Array.isArray(value) ? value.join('\\') : value;
    if (text.length % 2) text += vr === 'UI' ? '\0' : ' ';
    return this.element(tag, vr, new TextEncoder().encode(text));
  }

  us(tag: number, value: number): Uint8Array {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, value, true);
    return this.element(tag, 'US', b);
  }

  ul(tag: number, value: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value, true);
    return this.element(tag, 'UL', b);
  }

  sl(tag: number, value: number): Uint8Array {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, value, true);
    return this.element(tag, 'SL', b);
  }

  ov(tag: number, values: number[]): Uint8Array {
    const b = new Uint8Array(values.length * 8);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => {
      view.setBigUint64(i * 8, BigInt(v), true);
    });
    return this.element(tag, 'OV', b);
  }

  /** A sequence of items (each its elements, encoded), of defined lengths or (undefined) delimited. */
  sequence(tag: number, items: Uint8Array[][], undefinedLength = false): Uint8Array {
    const encoded = items.map((elements) => {
      const body = joined(elements);
      return undefinedLength
        ? joined([itemHeader(0xfffee000, 0xffffffff), body, itemHeader(0xfffee00d, 0)])
        : joined([itemHeader(0xfffee000, body.length), body]);
    });
    const body = joined(encoded);
    if (!undefinedLength) return this.element(tag, 'SQ', body);
    const header = this.element(tag, 'SQ', new Uint8Array(0));
    new DataView(header.buffer).setUint32(header.length - 4, 0xffffffff, true);
    return joined([header, body, itemHeader(0xfffee0dd, 0)]);
  }
}

function itemHeader(tag: number, length: number): Uint8Array {
  const b = new Uint8Array(8);
  const view = new DataView(b.buffer);
  view.setUint16(0, tag >>> 16, true);
  view.setUint16(2, tag & 0xffff, true);
  view.setUint32(4, length, true);
  return b;
}

/** Preamble, DICM and the file meta group (always explicit VR little endian). */
function fileMeta(sopInstance: string, transferSyntax: string): Uint8Array {
  const e = new Encoder(true);
  const body = joined([
    e.element(0x00020001, 'OB', Uint8Array.from([0, 1])),
    e.text(0x00020002, 'UI', WSI),
    e.text(0x00020003, 'UI', sopInstance),
    e.text(0x00020010, 'UI', transferSyntax),
    e.text(0x00020012, 'UI', '2.25.1'),
    e.text(0x00020013, 'SH', 'SLIDESCOPE_TEST'),
  ]);
  return joined([new Uint8Array(128), new TextEncoder().encode('DICM'), e.ul(0x00020000, body.length), body]);
}

// --- Frames -----------------------------------------------------------------------------------

interface Frames {
  transferSyntax: string;
  photometric: string;
  samples: 1 | 3;
  lossy: boolean;
  encode(tile: () => Promise<RgbImage>, jpeg: () => Promise<Uint8Array | null>): Promise<Uint8Array>;
}

const require = createRequire(import.meta.url);

interface CharLsEncoder {
  getDecodedBuffer(frame: { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }): Uint8Array;
  setInterleaveMode(mode: number): void;
  encode(): void;
  getEncodedBuffer(): Uint8Array;
  delete(): void;
}

async function jpegLsEncoder(): Promise<new () => CharLsEncoder> {
  const factory = require('@cornerstonejs/codec-charls/wasmjs') as (options: object) => Promise<{ JpegLSEncoder: new () => CharLsEncoder }>;
  return (await factory({ print: () => undefined, printErr: () => undefined })).JpegLSEncoder;
}

function greyOf(image: RgbImage): Uint8Array {
  const out = new Uint8Array(image.width * image.height);
  for (let p = 0; p < out.length; p++) out[p] = image.data[p * 3 + 1]!;
  return out;
}

async function framesFor(options: DicomSeriesOptions, svsPhotometric: 'RGB' | 'YBR_FULL_422'): Promise<Frames> {
  const grey = options.grey === true;
  const samples = grey ? 1 : 3;
  const photometric = grey ? 'MONOCHROME2' : 'RGB';
  const pixels = (image: RgbImage) => (grey ? greyOf(image) : image.data);
  switch (options.codec) {
    case 'jpeg':
      if (grey) throw new Error('grey JPEG frames are not written');
      return {
        transferSyntax: TS.jpeg,
        photometric: svsPhotometric,
        samples,
        lossy: true,
        encode: async (_tile, jpeg) => {
          const bytes = await jpeg();
          if (!bytes) throw new Error('the SVS has no stored JPEG tile there');
          return bytes;
        },
      };
    case 'jpeg2000':
    case 'jpeg2000-ict':
    case 'jpeg2000-ycbcr': {
      const lossless = options.codec === 'jpeg2000';
      if (grey) throw new Error('grey JPEG 2000 frames are not written');
      const encoder = await J2kTileEncoder.create({ colour: options.codec === 'jpeg2000-ycbcr' ? 'ycbcr' : 'rgb', compressionRatio: lossless ? 0 : 10 });
      return {
        transferSyntax: lossless ? TS.j2kLossless : TS.j2k,
        photometric: lossless ? 'RGB' : 'YBR_ICT',
        samples,
        lossy: !lossless,
        encode: async (tile) => {
          const image = await tile();
          return encoder.encode(image.data, image.width, image.height);
        },
      };
    }
    case 'jpeg-ls': {
      const Encoder = await jpegLsEncoder();
      return {
        transferSyntax: TS.jpegLs,
        photometric,
        samples,
        lossy: false,
        encode: async (tile) => {
          const image = await tile();
          const encoder = new Encoder();
          try {
            encoder
              .getDecodedBuffer({ width: image.width, height: image.height, bitsPerSample: 8, componentCount: samples, isSigned: false })
              .set(pixels(image));
            encoder.setInterleaveMode(samples === 3 ? 2 : 0);
            encoder.encode();
            return encoder.getEncodedBuffer().slice();
          } finally {
            encoder.delete();
          }
        },
      };
    }
    case 'native':
      return {
        transferSyntax: options.implicitVr ? TS.implicit : TS.explicit,
        photometric,
        samples,
        lossy: false,
        encode: async (tile) => Uint8Array.from(pixels(await tile())),
      };
  }
}

// --- Instances --------------------------------------------------------------------------------

interface InstanceSpec {
  series: DicomSeriesOptions;
  imageType: string[];
  sopInstance: string;
  instanceNumber: number;
  width: number;
  height: number;
  rows: number;
  columns: number;
  frames: Frames;
  /** Encoded frames of this file, and where each is (TILED_SPARSE), in pixels. */
  data: Uint8Array[];
  positions: Array<{ x: number; y: number }> | null;
  concatenation: { source: string; part: number; total: number; frameOffset: number } | null;
  study: string;
  seriesUid: string;
}

function instanceFile(spec: InstanceSpec): Uint8Array {
  const { series, frames } = spec;
  const e = new Encoder(frames.transferSyntax !== TS.implicit);
  const native = frames.transferSyntax === TS.implicit || frames.transferSyntax === TS.explicit;
  const elements: Uint8Array[] = [
    e.text(0x00080008, 'CS', spec.imageType),
    e.text(0x00080016, 'UI', WSI),
    e.text(0x00080018, 'UI', spec.sopInstance),
    e.text(0x00080060, 'CS', 'SM'),
    e.text(0x00080070, 'LO', 'Slidescope test writer'),
    e.text(0x0008103e, 'LO', series.description ?? `synthetic series ${series.seed}`),
    e.text(0x0020000d, 'UI', spec.study),
    e.text(0x0020000e, 'UI', spec.seriesUid),
    e.text(0x00200013, 'IS', String(spec.instanceNumber)),
    e.text(0x00200052, 'UI', uid(series.seed, 'frame of reference')),
  ];
  if (spec.concatenation) {
    elements.push(
      e.text(0x00200242, 'UI', spec.concatenation.source),
      e.text(0x00209161, 'UI', uid(series.seed, 'concatenation', spec.concatenation.source)),
      e.us(0x00209162, spec.concatenation.part),
      e.us(0x00209163, spec.concatenation.total),
      e.ul(0x00209228, spec.concatenation.frameOffset),
    );
  }
  elements.push(
    e.text(0x00209311, 'CS', spec.positions ? 'TILED_SPARSE' : 'TILED_FULL'),
    e.us(0x00280002, frames.samples),
    e.text(0x00280004, 'CS', frames.photometric),
  );
  if (frames.samples === 3) elements.push(e.us(0x00280006, 0));
  elements.push(
    e.text(0x00280008, 'IS', String(spec.data.length)),
    e.us(0x00280010, spec.rows),
    e.us(0x00280011, spec.columns),
    e.us(0x00280100, 8),
    e.us(0x00280101, 8),
    e.us(0x00280102, 7),
    e.us(0x00280103, 0),
    e.text(0x00282110, 'CS', frames.lossy ? '01' : '00'),
    e.text(0x00400512, 'LO', `SLIDE-${series.seed}`),
    e.ul(0x00480006, spec.width),
    e.ul(0x00480007, spec.height),
    e.sequence(0x00480105, [
      [
        ...(series.icc ? [e.element(0x00282000, 'OB', TEST_ICC_PROFILE.length % 2 ? joined([TEST_ICC_PROFILE, new Uint8Array(1)]) : TEST_ICC_PROFILE)] : []),
        e.text(0x00480106, 'SH', '1'),
        e.text(0x00480112, 'DS', String(OBJECTIVE)),
      ],
    ]),
    e.ul(0x00480303, 1),
    e.sequence(0x52009229, [
      [e.sequence(0x00289110, [[e.text(0x00180050, 'DS', '0.001'), e.text(0x00280030, 'DS', [String(PIXEL_SPACING_MM), String(PIXEL_SPACING_MM)])]])],
    ]),
  );
  if (spec.positions) {
    const items = spec.positions.map((p) => [
      e.sequence(0x0048021a, [
        [e.text(0x0040072a, 'DS', '0'), e.text(0x0040073a, 'DS', '0'), e.text(0x0040074a, 'DS', '0'), e.sl(0x0048021e, p.x + 1), e.sl(0x0048021f, p.y + 1)],
      ]),
    ]);
    elements.push(e.sequence(0x52009230, items, series.undefinedLengthItems === true));
  }
  if (native) {
    elements.push(e.element(0x7fe00010, e.explicit ? 'OB' : 'OW', joined(spec.data)));
  } else {
    const fragments = spec.data.map((frame) => {
      if (!series.twoFragments) return [frame];
      const cut = Math.floor(frame.length / 2);
      return [frame.subarray(0, cut), frame.subarray(cut)];
    });
    const items = fragments.map((parts) => joined(parts.map((part) => joined([itemHeader(0xfffee000, part.length), part]))));
    const offsets: number[] = [];
    items.reduce((at, item) => {
      offsets.push(at);
      return at + item.length;
    }, 0);
    const table = series.offsetTable ?? 'basic';
    if (table === 'extended') {
      elements.push(
        e.ov(0x7fe00001, offsets),
        e.ov(
          0x7fe00002,
          spec.data.map((f) => f.length),
        ),
      );
    }
    const bot = new Uint8Array(table === 'basic' ? offsets.length * 4 : 0);
    offsets.forEach((o, i) => {
      if (table === 'basic') new DataView(bot.buffer).setUint32(i * 4, o, true);
    });
    const pixelHeader = e.element(0x7fe00010, 'OB', new Uint8Array(0));
    new DataView(pixelHeader.buffer).setUint32(8, 0xffffffff, true);
    elements.push(pixelHeader, itemHeader(0xfffee000, bot.length), bot, ...items, itemHeader(0xfffee0dd, 0));
  }
  return joined([fileMeta(spec.sopInstance, frames.transferSyntax), ...elements]);
}

// --- Series -----------------------------------------------------------------------------------

async function writeSeries(folder: string, source: SlideSource, options: DicomSeriesOptions, prefix: string): Promise<WrittenDicomFile[]> {
  if (options.implicitVr && options.codec !== 'native') throw new Error('implicit VR holds native frames only');
  // The engine makes an RGB-photometric SVS tile standalone with an Adobe marker saying RGB (transform 0) after SOI.
  const sample = await source.readStoredJpeg(0, 0, 0);
  const svsPhotometric = sample && sample[2] === 0xff && sample[3] === 0xee && sample[17] === 0 ? 'RGB' : 'YBR_FULL_422';
  const frames = await framesFor(options, svsPhotometric);
  const study = uid(options.seed, 'study');
  const seriesUid = uid(options.seed, 'series');
  const written: WrittenDicomFile[] = [];
  let instanceNumber = 1;
  const levelCount = Math.min(options.levels ?? source.levels.length, source.levels.length);
  for (let level = 0; level < levelCount; level++) {
    const info = source.levels[level]!;
    const across = Math.ceil(info.width / info.tileWidth);
    const down = Math.ceil(info.height / info.tileHeight);
    const sparse = level === 0 && options.sparseEvery !== undefined;
    const tiles: Array<{ col: number; row: number }> = [];
    for (let row = 0; row < down; row++) {
      for (let col = 0; col < across; col++) {
        if (sparse && (col + 3 * row) % options.sparseEvery! === 1) continue;
        tiles.push({ col, row });
      }
    }
    // Sparse frames in reverse: their order says nothing, their positions everything.
    if (sparse) tiles.reverse();
    const data: Uint8Array[] = [];
    for (const { col, row } of tiles) {
      data.push(
        await frames.encode(
          async () => {
            const tile = await source.readTile(level, col, row);
            if (!tile) throw new Error(`the SVS has no tile ${col},${row} at level ${level}`);
            return tile;
          },
          () => source.readStoredJpeg(level, col, row),
        ),
      );
    }
    const parts = level === 0 ? (options.level0Parts ?? 1) : 1;
    const source0 = uid(options.seed, 'level', level);
    const perPart = Math.ceil(tiles.length / parts);
    for (let part = 0; part < parts; part++) {
      const from = part * perPart;
      const sopInstance = parts > 1 ? uid(options.seed, 'level', level, 'part', part) : source0;
      const path = join(folder, `${prefix}-level${level}${parts > 1 ? `-part${part + 1}` : ''}.dcm`);
      const bytes = instanceFile({
        series: options,
        imageType: level === 0 ? ['ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'] : ['DERIVED', 'PRIMARY', 'VOLUME', 'RESAMPLED'],
        sopInstance,
        instanceNumber: instanceNumber++,
        width: info.width,
        height: info.height,
        rows: info.tileHeight,
        columns: info.tileWidth,
        frames,
        data: data.slice(from, from + perPart),
        positions: sparse ? tiles.slice(from, from + perPart).map((t) => ({ x: t.col * info.tileWidth, y: t.row * info.tileHeight })) : null,
        concatenation: parts > 1 ? { source: source0, part: part + 1, total: parts, frameOffset: from } : null,
        study,
        seriesUid,
      });
      await writeFile(path, bytes);
      written.push({ path, image: 'level', level, part: part + 1 });
    }
  }
  if (options.associated) {
    for (const [name, type] of [
      ['label', 'LABEL'],
      ['macro', 'OVERVIEW'],
      ['thumbnail', 'THUMBNAIL'],
    ] as const) {
      if (!source.associatedNames.includes(name)) continue;
      const image = await source.readAssociated(name);
      // The label stays exact (native RGB); overview and thumbnail are JPEG (YCbCr 4:2:0), as scanners write them.
      const jpeg = name !== 'label';
      const data = jpeg
        ? new Uint8Array(
            await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
              .jpeg({ quality: 90 })
              .toBuffer(),
          )
        : image.data;
      const path = join(folder, `${prefix}-${name}.dcm`);
      await writeFile(
        path,
        instanceFile({
          series: { ...options, twoFragments: false, offsetTable: 'basic' },
          imageType: ['ORIGINAL', 'PRIMARY', type, name === 'thumbnail' ? 'RESAMPLED' : 'NONE'],
          sopInstance: uid(options.seed, name),
          instanceNumber: instanceNumber++,
          width: image.width,
          height: image.height,
          rows: image.height,
          columns: image.width,
          frames: {
            transferSyntax: jpeg ? TS.jpeg : TS.explicit,
            photometric: jpeg ? 'YBR_FULL_422' : 'RGB',
            samples: 3,
            lossy: jpeg,
            encode: async () => data,
          },
          data: [data],
          positions: null,
          concatenation: null,
          study,
          seriesUid,
        }),
      );
      written.push({ path, image: name, level: -1, part: 1 });
    }
  }
  return written;
}

/** A folder of one or more series written from `svs`, made whole under a temporary name first. */
export async function writeDicomFolder(path: string, svs: string, series: readonly DicomSeriesOptions[]): Promise<WrittenDicomFolder> {
  const partial = `${path}.partial`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  const source = await openSlideSource(svs);
  const files: WrittenDicomFile[] = [];
  try {
    for (const options of series) files.push(...(await writeSeries(partial, source, options, `series${options.seed}`)));
  } finally {
    await source.close();
  }
  await rm(path, { recursive: true, force: true });
  await rename(partial, path);
  const base = source.levels[0]!;
  let fileSize = 0;
  for (const f of files) fileSize += (await stat(f.path.replace(partial, path))).size;
  return {
    path,
    width: base.width,
    height: base.height,
    levels: source.levels.map((l) => ({ width: l.width, height: l.height })),
    associated: {},
    fileSize,
    files: files.map((f) => ({ ...f, path: join(path, f.path.slice(partial.length + 1)) })),
  };
}
