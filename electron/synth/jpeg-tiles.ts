// JPEG tiles and strips for TIFF, Aperio style: every tile is an *abbreviated* stream (SOI, SOF0,
// SOS..., EOI, no DQT/DHT) and the shared tables sit once in the JPEGTables tag.
//
// sharp (libvips + mozjpeg's libjpeg-turbo core) encodes; with optimiseCoding off every output uses
// the standard Annex K Huffman tables and quantisation tables that depend only on the quality, so
// they are identical for all tiles - which is checked on every tile, not assumed.
//
// Two photometric variants:
//  - 'ycbcr': ordinary JFIF-style JPEG (sharp converts RGB to YCbCr), TIFF Photometric = 6.
//  - 'rgb':   like real Aperio files: Photometric = RGB, one 3-component 4:4:4 baseline JPEG whose
//             components (ids 0, 1, 2) ARE R, G, B, with no colour transform. libjpeg cannot be told
//             to skip the transform through sharp, so each plane is encoded as a *grayscale* JPEG and
//             the three entropy-coded scans are spliced into one frame as three non-interleaved
//             scans: a single-component scan holds exactly what a grayscale JPEG of the same size
//             holds (same block order, DC prediction restarting at each scan).

import sharp, { type Sharp } from 'sharp';

export type JpegPhotometric = 'rgb' | 'ycbcr';
export type ChromaSubsampling = '4:2:0' | '4:4:4';

export interface JpegEncoderOptions {
  quality: number;
  photometric: JpegPhotometric;
  /** Only for 'ycbcr' (the 'rgb' variant is always 4:4:4). Default 4:2:0. */
  chroma?: ChromaSubsampling;
}

const SOI = 0xd8;
const EOI = 0xd9;
const SOF0 = 0xc0;
const DHT = 0xc4;
const DQT = 0xdb;
const SOS = 0xda;

interface Segment {
  marker: number;
  /** The whole segment including the 0xFF marker and length bytes. */
  bytes: Uint8Array;
}

interface ParsedJpeg {
  tables: Segment[]; // DQT and DHT, in stream order
  sof: Segment;
  sos: Segment;
  /** Entropy-coded data of the (single) scan, up to but excluding EOI. */
  scan: Uint8Array;
}

/** Splits a baseline single-scan JPEG as sharp writes it. */
function parseJpeg(jpeg: Uint8Array): ParsedJpeg {
  if (jpeg[0] !== 0xff || jpeg[1] !== SOI) throw new Error('not a JPEG stream');
  const n = jpeg.length;
  if (jpeg[n - 2] !== 0xff || jpeg[n - 1] !== EOI) throw new Error('JPEG stream does not end with EOI');
  const tables: Segment[] = [];
  let sof: Segment | undefined;
  let p = 2;
  while (p + 4 <= n) {
    if (jpeg[p] !== 0xff) throw new Error(`JPEG marker expected at ${p}`);
    const marker = jpeg[p + 1]!;
    const length = (jpeg[p + 2]! << 8) | jpeg[p + 3]!;
    const seg: Segment = { marker, bytes: jpeg.subarray(p, p + 2 + length) };
    if (marker === SOS) {
      if (!sof) throw new Error('SOS before SOF');
      // One scan only: the entropy data runs to the final EOI (sharp writes no restart markers).
      return { tables, sof, sos: seg, scan: jpeg.subarray(p + 2 + length, n - 2) };
    }
    if (marker === DQT || marker === DHT) tables.push(seg);
    else if (marker === SOF0) sof = seg;
    else if (marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      throw new Error(`unexpected JPEG frame type 0x${marker.toString(16)} (not baseline)`);
    } else if (marker === 0xdd) throw new Error('restart intervals are not expected');
    // APPn (JFIF, EXIF), COM: dropped.
    p += 2 + length;
  }
  throw new Error('JPEG stream has no scan');
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

function marker2(m: number): Uint8Array {
  return Uint8Array.of(0xff, m);
}

/** SOF0 for an 8-bit 3-component 1x1-sampled frame with component ids 0, 1, 2, quant table 0. */
function rgbFrameHeader(width: number, height: number): Uint8Array {
  return Uint8Array.of(0xff, SOF0, 0, 17, 8, height >> 8, height & 0xff, width >> 8, width & 0xff, 3, 0, 0x11, 0, 1, 0x11, 0, 2, 0x11, 0);
}

/** SOS for one component, DC/AC table 0, full spectral range (sequential). */
function singleScanHeader(componentId: number): Uint8Array {
  return Uint8Array.of(0xff, SOS, 0, 8, 1, componentId, 0x00, 0, 63, 0);
}

export class JpegTileEncoder {
  readonly photometric: JpegPhotometric;
  readonly quality: number;
  readonly chroma: ChromaSubsampling;
  private tables: Uint8Array[] | undefined;
  private tablesStream: Uint8Array | undefined;

  constructor(options: JpegEncoderOptions) {
    if (!(options.quality >= 1 && options.quality <= 100)) throw new Error(`JPEG quality ${options.quality} out of range`);
    this.photometric = options.photometric;
    this.quality = Math.round(options.quality);
    this.chroma = options.photometric === 'rgb' ? '4:4:4' : (options.chroma ?? '4:2:0');
  }

  /** TIFF PhotometricInterpretation for these tiles. */
  get tiffPhotometric(): 2 | 6 {
    return this.photometric === 'rgb' ? 2 : 6;
  }

  /** TIFF YCbCrSubsampling for 'ycbcr' tiles (undefined for RGB). */
  get ycbcrSubsampling(): [number, number] | undefined {
    if (this.photometric === 'rgb') return undefined;
    return this.chroma === '4:2:0' ? [2, 2] : [1, 1];
  }

  /** Learns the shared tables (from a tiny encode); must be awaited before jpegTables is read. */
  async init(): Promise<void> {
    if (this.tables) return;
    await this.encode(new Uint8Array(16 * 16 * 3).fill(128), 16, 16);
  }

  /** JPEGTables: SOI, DQT..., DHT..., EOI. */
  get jpegTables(): Uint8Array {
    if (!this.tablesStream) throw new Error('JpegTileEncoder.init() was not awaited');
    return this.tablesStream;
  }

  /** Encodes interleaved RGB (width*height*3 bytes) to an abbreviated JPEG stream. */
  async encode(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
    if (rgb.length !== width * height * 3) throw new Error('RGB buffer size does not match');
    return this.photometric === 'rgb' ? this.encodeRgb(rgb, width, height) : this.encodeYcbcr(rgb, width, height);
  }

  private sharpJpeg(input: Sharp): Promise<Buffer> {
    return input
      .jpeg({
        quality: this.quality,
        optimiseCoding: false,
        chromaSubsampling: this.chroma,
        progressive: false,
        trellisQuantisation: false,
        overshootDeringing: false,
        optimiseScans: false,
        quantisationTable: 0,
      })
      .toBuffer();
  }

  private async encodeYcbcr(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
    const jpeg = await this.sharpJpeg(sharp(rgb, { raw: { width, height, channels: 3 } }));
    const parsed = parseJpeg(jpeg);
    this.checkTables(parsed.tables.map((t) => t.bytes));
    return Buffer.concat([marker2(SOI), parsed.sof.bytes, parsed.sos.bytes, parsed.scan, marker2(EOI)]);
  }

  private async encodeRgb(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array> {
    const n = width * height;
    const planes = [new Uint8Array(n), new Uint8Array(n), new Uint8Array(n)] as const;
    const [r, g, b] = planes;
    for (let i = 0, p = 0; i < n; i++, p += 3) {
      r[i] = rgb[p]!;
      g[i] = rgb[p + 1]!;
      b[i] = rgb[p + 2]!;
    }
    const jpegs = await Promise.all(planes.map((plane) => this.sharpJpeg(sharp(plane, { raw: { width, height, channels: 1 } }).toColourspace('b-w'))));
    const parts: Uint8Array[] = [marker2(SOI), rgbFrameHeader(width, height)];
    jpegs.forEach((jpeg, c) => {
      const parsed = parseJpeg(jpeg);
      const sof = parsed.sof.bytes;
      // A grayscale baseline frame: 1 component, 1x1 sampling, quant table 0.
      if (sof[9] !== 1 || sof[11] !== 0x11 || sof[12] !== 0) throw new Error('sharp did not write a plain grayscale JPEG');
      const sos = parsed.sos.bytes;
      if (sos[4] !== 1 || sos[6] !== 0x00) throw new Error('grayscale scan does not use Huffman tables 0');
      this.checkTables(parsed.tables.map((t) => t.bytes));
      parts.push(singleScanHeader(c), parsed.scan);
    });
    parts.push(marker2(EOI));
    return Buffer.concat(parts);
  }

  /** The first encode defines the tables; every later one must match them exactly. */
  private checkTables(tables: Uint8Array[]): void {
    if (!this.tables) {
      this.tables = tables.map((t) => Uint8Array.from(t));
      this.tablesStream = Buffer.concat([marker2(SOI), ...this.tables, marker2(EOI)]);
      return;
    }
    const known = this.tables;
    if (tables.length !== known.length || tables.some((t, i) => !equalBytes(t, known[i]!))) {
      throw new Error('JPEG encoder produced different quantisation/Huffman tables for two tiles');
    }
  }
}
