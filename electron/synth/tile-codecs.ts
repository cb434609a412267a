// One interface over the tile/strip codecs the synthetic slides use, with the TIFF tags each needs.

import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import { type ChromaSubsampling, type JpegPhotometric, JpegTileEncoder } from './jpeg-tiles';
import { J2kTileEncoder } from './jpeg2000-tiles';
import { applyHorizontalPredictor, lzwEncode } from './lzw';
import { Compression, Photometric } from './tiff-writer';

const deflateAsync = promisify(deflate);

export interface TileCodec {
  compression: number;
  photometric: number;
  jpegTables?: Uint8Array;
  ycbcrSubsampling?: [number, number];
  predictor?: number;
  /** Encodes width*height interleaved RGB. */
  encode(rgb: Uint8Array, width: number, height: number): Promise<Uint8Array>;
}

export type CodecSpec =
  | { kind: 'jpeg'; quality: number; photometric: JpegPhotometric; chroma?: ChromaSubsampling }
  | { kind: 'jpeg2000'; colour: 'ycbcr' | 'rgb'; compressionRatio?: number; subsampleChroma?: boolean }
  | { kind: 'lzw'; predictor?: boolean }
  | { kind: 'deflate'; predictor?: boolean; level?: number }
  | { kind: 'none' };

export async function createCodec(spec: CodecSpec): Promise<TileCodec> {
  switch (spec.kind) {
    case 'jpeg': {
      const jpeg = new JpegTileEncoder({ quality: spec.quality, photometric: spec.photometric, chroma: spec.chroma });
      await jpeg.init();
      const sub = jpeg.ycbcrSubsampling;
      return {
        compression: Compression.JPEG,
        photometric: jpeg.tiffPhotometric,
        jpegTables: jpeg.jpegTables,
        ...(sub ? { ycbcrSubsampling: sub } : {}),
        encode: (rgb, w, h) => jpeg.encode(rgb, w, h),
      };
    }
    case 'jpeg2000': {
      const j2k = await J2kTileEncoder.create({
        colour: spec.colour,
        compressionRatio: spec.compressionRatio,
        subsampleChroma: spec.subsampleChroma,
      });
      return {
        compression: j2k.tiffCompression,
        photometric: Photometric.RGB,
        encode: async (rgb, w, h) => j2k.encode(rgb, w, h),
      };
    }
    case 'lzw': {
      const predict = spec.predictor ?? true;
      return {
        compression: Compression.LZW,
        photometric: Photometric.RGB,
        ...(predict ? { predictor: 2 } : {}),
        encode: async (rgb, w, h) => {
          const data = Uint8Array.from(rgb);
          if (predict) applyHorizontalPredictor(data, w, h, 3);
          return lzwEncode(data);
        },
      };
    }
    case 'deflate': {
      const predict = spec.predictor ?? true;
      const level = spec.level ?? 6;
      return {
        compression: Compression.Deflate,
        photometric: Photometric.RGB,
        ...(predict ? { predictor: 2 } : {}),
        encode: async (rgb, w, h) => {
          const data = Uint8Array.from(rgb);
          if (predict) applyHorizontalPredictor(data, w, h, 3);
          return new Uint8Array(await deflateAsync(data, { level }));
        },
      };
    }
    case 'none':
      return {
        compression: Compression.None,
        photometric: Photometric.RGB,
        encode: async (rgb) => Uint8Array.from(rgb),
      };
  }
}
