// Test-only writer of generic tiled TIFF pyramids in the sample layouts the project's own slide
// writer does not make: separate colour planes (PlanarConfiguration 2), 16-bit samples, greyscale
// (MinIsBlack, MinIsWhite), either byte order. Pixels come from the tissue painter; a 16-bit sample
// is the painted 8-bit value in its high byte and a deterministic noise byte below it, so that the
// 16 -> 8 bit conversion is exercised (libtiff rounds RGB, (v + 128) / 257, but shifts grey, v >> 8).

import { rename, rm, stat } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import { applyHorizontalPredictor, lzwEncode } from '../../electron/synth/lzw';
import { pyramidLevelSizes, reduceBox } from '../../electron/synth/pyramid';
import { defaultLevelCount, SOFTWARE, type WrittenSlide } from '../../electron/synth/slides';
import { Compression, Photometric, TiffWriter } from '../../electron/synth/tiff-writer';
import { TissuePainter } from '../../electron/synth/tissue';

export interface SampleLayoutOptions {
  width: number;
  height: number;
  tileSize?: number;
  /** Levels 2x apart (sizes rounded down); default: until the smallest fits one tile. */
  levels?: number;
  compression: 'none' | 'lzw' | 'deflate';
  /** Horizontal differencing (Predictor 2) for LZW and Deflate, in sample units; default true. */
  predictor?: boolean;
  colour: 'rgb' | 'min-is-black' | 'min-is-white';
  bitsPerSample: 8 | 16;
  /** PlanarConfiguration 2: each tile stored once per sample. */
  separatePlanes?: boolean;
  byteOrder?: 'little' | 'big';
  seed?: number;
}

/** The noise byte below a 16-bit sample's painted high byte: a hash of its place. */
function lowByte(x: number, y: number, c: number, level: number): number {
  let h = Math.imul(x + 1, 0x9e3779b1) ^ Math.imul(y + 7, 0x85ebca77) ^ Math.imul(c + 3 + level * 5, 0xc2b2ae3d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & 0xff;
}

/** Greyscale as the painter's luminance (Rec. 601 weights, rounded). */
function grey(r: number, g: number, b: number): number {
  return Math.round(0.299 * r + 0.587 * g + 0.114 * b);
}

interface Level {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * The stored samples of one tile of a level: interleaved (one buffer) or one buffer per plane, in
 * the file's byte order, padded to the full tile with zeros.
 */
function tileSamples(level: Level, k: number, col: number, row: number, ts: number, options: SampleLayoutOptions): Uint8Array[] {
  const samples = options.colour === 'rgb' ? 3 : 1;
  const bytes = options.bitsPerSample / 8;
  const little = (options.byteOrder ?? 'little') === 'little';
  const planes = options.separatePlanes ? samples : 1;
  const perPlane = options.separatePlanes ? 1 : samples;
  const out = Array.from({ length: planes }, () => new Uint8Array(ts * ts * perPlane * bytes));
  const views = out.map((b) => new DataView(b.buffer));
  for (let y = 0; y < ts; y++) {
    const ly = row * ts + y;
    if (ly >= level.height) break;
    for (let x = 0; x < ts; x++) {
      const lx = col * ts + x;
      if (lx >= level.width) break;
      const p = (ly * level.width + lx) * 3;
      const rgb = [level.data[p]!, level.data[p + 1]!, level.data[p + 2]!];
      const values = samples === 3 ? rgb : [grey(rgb[0]!, rgb[1]!, rgb[2]!)];
      values.forEach((v8, c) => {
        // MinIsWhite stores the complement: the file's 0 is white.
        const v = options.colour === 'min-is-white' ? 255 - v8 : v8;
        const plane = options.separatePlanes ? c : 0;
        const at = ((y * ts + x) * perPlane + (options.separatePlanes ? 0 : c)) * bytes;
        if (bytes === 1) out[plane]![at] = v;
        else views[plane]!.setUint16(at, v * 256 + lowByte(lx, ly, c, k), little);
      });
    }
  }
  return out;
}

/** Predictor 2 on 16-bit samples in the given byte order: each sample minus its left neighbour, mod 2^16. */
function predict16(data: Uint8Array, width: number, rows: number, samples: number, little: boolean): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stride = width * samples;
  for (let y = 0; y < rows; y++) {
    for (let i = stride - 1; i >= samples; i--) {
      const at = (y * stride + i) * 2;
      const left = view.getUint16(at - samples * 2, little);
      view.setUint16(at, (view.getUint16(at, little) - left) & 0xffff, little);
    }
  }
}

function encode(samples: Uint8Array, ts: number, perPlane: number, options: SampleLayoutOptions): Uint8Array {
  if (options.compression === 'none') return samples;
  const data = Uint8Array.from(samples);
  if (options.predictor ?? true) {
    if (options.bitsPerSample === 8) applyHorizontalPredictor(data, ts, ts, perPlane);
    else predict16(data, ts, ts, perPlane, (options.byteOrder ?? 'little') === 'little');
  }
  return options.compression === 'lzw' ? lzwEncode(data) : new Uint8Array(deflateSync(data));
}

export async function writeSampleLayoutPyramid(path: string, options: SampleLayoutOptions): Promise<WrittenSlide> {
  const { width, height } = options;
  const ts = options.tileSize ?? 256;
  const sizes = pyramidLevelSizes(width, height, 2, options.levels ?? defaultLevelCount(width, height, 2, ts + 1));
  const samples = options.colour === 'rgb' ? 3 : 1;
  const perPlane = options.separatePlanes ? 1 : samples;
  const compression = { none: Compression.None, lzw: Compression.LZW, deflate: Compression.Deflate }[options.compression];
  const photometric = { rgb: Photometric.RGB, 'min-is-black': Photometric.MinIsBlack, 'min-is-white': Photometric.MinIsWhite }[options.colour];

  const tmp = `${path}.partial-${process.pid}`;
  const writer = await TiffWriter.create(tmp, { byteOrder: options.byteOrder ?? 'little' });
  try {
    const images = sizes.map((s, k) =>
      writer.addImage({
        width: s.width,
        height: s.height,
        compression,
        photometric,
        layout: { kind: 'tiles', tileWidth: ts, tileHeight: ts },
        newSubfileType: k > 0 ? 1 : 0,
        software: SOFTWARE,
        samplesPerPixel: samples === 3 ? 3 : 1,
        bitsPerSample: options.bitsPerSample,
        planarConfiguration: options.separatePlanes ? 2 : 1,
        ...(options.compression !== 'none' && (options.predictor ?? true) ? { predictor: 2 } : {}),
      }),
    );
    // Small fixtures: the whole of level 0 in memory, each level the 2x box reduction of the one before.
    let level: Level = { data: new TissuePainter({ width, height, seed: options.seed ?? 1 }).render(0, 0, width, height), width, height };
    for (let k = 0; k < sizes.length; k++) {
      if (k > 0) level = reduceBox(level.data, level.width, level.height, 2);
      const image = images[k]!;
      for (let row = 0; row < image.chunksDown; row++) {
        for (let col = 0; col < image.chunksAcross; col++) {
          const tile = row * image.chunksAcross + col;
          const planes = tileSamples(level, k, col, row, ts, options);
          for (const [p, plane] of planes.entries()) await writer.writeChunk(image, p * image.chunksPerPlane + tile, encode(plane, ts, perPlane, options));
        }
      }
    }
    await writer.close();
    await rename(tmp, path);
  } catch (error) {
    await writer.abort();
    await rm(tmp, { force: true });
    throw error;
  }
  return { path, width, height, levels: sizes, associated: {}, fileSize: (await stat(path)).size };
}
