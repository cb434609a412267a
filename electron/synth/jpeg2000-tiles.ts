// JPEG 2000 tiles for Aperio's compressions, as raw J2K codestreams (no JP2 boxes), encoded with
// OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg's J2KEncoder).
//
//  - 33005: the codestream's components are R, G, B (the encoder applies its reversible/irreversible
//    component transform, MCT, which the decoder undoes).
//  - 33003: the components are Y, Cb, Cr (JFIF full-range), with NO MCT; readers convert to RGB
//    themselves. This encoder build always turns MCT on for 3-component images and ignores
//    setDownSample (components are created with dx = dy = 1), so 33003 tiles are made by encoding
//    Y, Cb and Cr as three grayscale codestreams (MCT off) in CPRL progression and merging them: with
//    a single tile, one tile-part and component-major (CPRL) packet order, a 3-component codestream's
//    body is exactly the three single-component bodies one after another. The merge also gives
//    optional 2x2-subsampled chroma (Cb/Cr encoded at half size, XRsiz = YRsiz = 2 in SIZ).

import { type J2KEncoderInstance, loadOpenJpeg } from '../engine/codecs/openjpeg';

export type J2kColour = 'ycbcr' | 'rgb';

export interface J2kEncoderOptions {
  /** 'ycbcr' -> Aperio 33003, 'rgb' -> Aperio 33005. */
  colour: J2kColour;
  /** Lossy compression ratio (e.g. 10 = one tenth of the raw size); 0 = lossless (5/3 wavelet). */
  compressionRatio?: number;
  /** 33003 only: Cb and Cr at half resolution in both directions. */
  subsampleChroma?: boolean;
  /** Wavelet decompositions (default 5, fewer for small tiles). */
  decompositions?: number;
}

const PROGRESSION_CPRL = 4;

/** JFIF full-range RGB -> YCbCr planes. */
function rgbToYcbcrPlanes(rgb: Uint8Array, n: number): [Uint8Array, Uint8Array, Uint8Array] {
  const y = new Uint8Array(n);
  const cb = new Uint8Array(n);
  const cr = new Uint8Array(n);
  for (let i = 0, p = 0; i < n; i++, p += 3) {
    const r = rgb[p]!;
    const g = rgb[p + 1]!;
    const b = rgb[p + 2]!;
    y[i] = clampByte(0.299 * r + 0.587 * g + 0.114 * b);
    cb[i] = clampByte(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
    cr[i] = clampByte(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
  }
  return [y, cb, cr];
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

/** 2x2 mean of a plane (edges: the available pixels). */
function halvePlane(src: Uint8Array, w: number, h: number): { data: Uint8Array; width: number; height: number } {
  const ow = Math.ceil(w / 2);
  const oh = Math.ceil(h / 2);
  const out = new Uint8Array(ow * oh);
  for (let y = 0; y < oh; y++) {
    const y0 = 2 * y;
    const y1 = Math.min(h - 1, y0 + 1);
    for (let x = 0; x < ow; x++) {
      const x0 = 2 * x;
      const x1 = Math.min(w - 1, x0 + 1);
      out[y * ow + x] = (src[y0 * w + x0]! + src[y0 * w + x1]! + src[y1 * w + x0]! + src[y1 * w + x1]! + 2) >> 2;
    }
  }
  return { data: out, width: ow, height: oh };
}

interface Codestream {
  siz: Uint8Array;
  cod: Uint8Array;
  qcd: Uint8Array;
  other: Uint8Array[];
  body: Uint8Array;
}

/** Splits a single-tile, single-tile-part codestream as OpenJPEG writes it. */
function splitCodestream(cs: Uint8Array): Codestream {
  const u16 = (p: number): number => (cs[p]! << 8) | cs[p + 1]!;
  const u32 = (p: number): number => ((cs[p]! << 24) | (cs[p + 1]! << 16) | (cs[p + 2]! << 8) | cs[p + 3]!) >>> 0;
  if (u16(0) !== 0xff4f) throw new Error('not a J2K codestream');
  let siz: Uint8Array | undefined;
  let cod: Uint8Array | undefined;
  let qcd: Uint8Array | undefined;
  const other: Uint8Array[] = [];
  let p = 2;
  while (p < cs.length) {
    const marker = u16(p);
    if (marker === 0xff90) {
      // SOT: Lsot Isot Psot TPsot TNsot, then (for OpenJPEG) directly SOD.
      const psot = u32(p + 6);
      if (u16(p + 4) !== 0 || cs[p + 10] !== 0 || cs[p + 11] !== 1) throw new Error('expected a single tile in one tile-part');
      if (u16(p + 12) !== 0xff93) throw new Error('unexpected marker in the tile-part header');
      const end = psot === 0 ? cs.length - 2 : p + psot;
      if (u16(end) !== 0xffd9) throw new Error('expected EOC after the only tile-part');
      if (!siz || !cod || !qcd) throw new Error('codestream main header incomplete');
      return { siz, cod, qcd, other, body: cs.subarray(p + 14, end) };
    }
    const length = u16(p + 2);
    const seg = cs.subarray(p, p + 2 + length);
    if (marker === 0xff51) siz = seg;
    else if (marker === 0xff52) cod = seg;
    else if (marker === 0xff5c) qcd = seg;
    else other.push(seg);
    p += 2 + length;
  }
  throw new Error('codestream has no tile');
}

function be16(v: number): [number, number] {
  return [(v >> 8) & 0xff, v & 0xff];
}
function be32(v: number): [number, number, number, number] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

/** Merges three single-component codestreams (Y, Cb, Cr) into one 3-component one, MCT off. */
function mergeComponents(parts: readonly Codestream[], chromaStep: number): Uint8Array {
  const [y] = parts;
  if (!y || parts.length !== 3) throw new Error('need three components');
  // SIZ: the luma SIZ with Csiz = 3 and the components' sampling steps.
  const sizHead = y.siz.subarray(0, 38); // marker, Lsiz, Rsiz .. YTOsiz
  const siz = new Uint8Array(38 + 2 + 9);
  siz.set(sizHead);
  siz.set(be16(38 + 9), 2);
  siz.set(be16(3), 38);
  siz.set([7, 1, 1, 7, chromaStep, chromaStep, 7, chromaStep, chromaStep], 40);
  // COD: identical coding style for all components; clear the MCT flag.
  const cod = Uint8Array.from(y.cod);
  if (cod[5] !== PROGRESSION_CPRL) throw new Error('component merge needs CPRL progression');
  cod[8] = 0;
  for (const p of parts) {
    const c = p.cod;
    if (c.length !== cod.length || c.some((v, i) => i !== 8 && v !== cod[i])) throw new Error('components were coded with different COD');
  }
  // QCD from luma; a QCC for any component whose quantisation differs.
  const segments: Uint8Array[] = [Uint8Array.of(0xff, 0x4f), siz, cod, y.qcd];
  parts.forEach((p, c) => {
    if (c === 0 || (p.qcd.length === y.qcd.length && p.qcd.every((v, i) => v === y.qcd[i]))) return;
    const body = p.qcd.subarray(4); // Sqcd + SPqcd
    const qcc = new Uint8Array(5 + body.length);
    qcc.set([0xff, 0x5d, ...be16(3 + body.length), c]);
    qcc.set(body, 5);
    segments.push(qcc);
  });
  segments.push(...y.other);
  const bodyLength = parts.reduce((n, p) => n + p.body.length, 0);
  const sot = Uint8Array.of(0xff, 0x90, 0, 10, 0, 0, ...be32(12 + 2 + bodyLength), 0, 1);
  segments.push(sot, Uint8Array.of(0xff, 0x93), ...parts.map((p) => p.body), Uint8Array.of(0xff, 0xd9));
  return Buffer.concat(segments);
}

export class J2kTileEncoder {
  readonly colour: J2kColour;
  readonly compressionRatio: number;
  readonly subsampleChroma: boolean;
  private readonly decompositions: number | undefined;

  private constructor(
    private readonly encoder: J2KEncoderInstance,
    options: J2kEncoderOptions,
  ) {
    this.colour = options.colour;
    this.compressionRatio = options.compressionRatio ?? 10;
    this.subsampleChroma = options.colour === 'ycbcr' && (options.subsampleChroma ?? false);
    this.decompositions = options.decompositions;
    if (options.subsampleChroma && options.colour !== 'ycbcr') throw new Error('chroma subsampling needs YCbCr (33003)');
  }

  static async create(options: J2kEncoderOptions): Promise<J2kTileEncoder> {
    const mod = await loadOpenJpeg();
    return new J2kTileEncoder(new mod.J2KEncoder(), options);
  }

  /** TIFF compression code for these tiles. */
  get tiffCompression(): 33003 | 33005 {
    return this.colour === 'ycbcr' ? 33003 : 33005;
  }

  /** Encodes interleaved RGB (width*height*3) to a J2K codestream. Synchronous (WebAssembly). */
  encode(rgb: Uint8Array, width: number, height: number): Uint8Array {
    if (rgb.length !== width * height * 3) throw new Error('RGB buffer size does not match');
    if (this.colour === 'rgb') return this.encodePlanar(rgb, width, height, 3);
    const [y, cb, cr] = rgbToYcbcrPlanes(rgb, width * height);
    const step = this.subsampleChroma ? 2 : 1;
    const chroma = (plane: Uint8Array): { data: Uint8Array; width: number; height: number } =>
      step === 2 ? halvePlane(plane, width, height) : { data: plane, width, height };
    // Same decompositions for all three (COD is shared): limited by the smallest component.
    const cbs = chroma(cb);
    const crs = chroma(cr);
    const levels = this.levelsFor(cbs.width, cbs.height);
    const parts = [{ data: y, width, height }, cbs, crs].map((p) => splitCodestream(this.encodePlanar(p.data, p.width, p.height, 1, levels)));
    return mergeComponents(parts, step);
  }

  private levelsFor(width: number, height: number): number {
    const wanted = this.decompositions ?? 5;
    // Each resolution must keep at least one sample.
    let n = 0;
    while (n < wanted && Math.min(width, height) >> (n + 1) >= 1) n++;
    return n;
  }

  private encodePlanar(data: Uint8Array, width: number, height: number, components: 1 | 3, levels?: number): Uint8Array {
    const enc = this.encoder;
    const buf = enc.getDecodedBuffer({ width, height, bitsPerSample: 8, componentCount: components, isSigned: false });
    buf.set(data);
    enc.setDecompositions(levels ?? this.levelsFor(width, height));
    const lossless = this.compressionRatio <= 0;
    enc.setQuality(lossless, 1);
    enc.setCompressionRatio(0, lossless ? 0 : this.compressionRatio);
    enc.setProgressionOrder(PROGRESSION_CPRL);
    enc.encode();
    // A copy: the view points into WebAssembly memory, reused by the next encode.
    return Uint8Array.from(enc.getEncodedBuffer());
  }
}
