// Decoded TIFF samples to 8-bit RGB as libtiff's TIFFRGBAImage makes them (OpenSlide 3.4.1 reads
// generic TIFF tiles through it): interleaved or in separate planes (PlanarConfiguration 2), 8 or 16
// bits, RGB or grey. 16-bit RGB is rounded to 8 bits, (v + 128) / 257 (libtiff's Bitdepth16To8);
// 16-bit grey keeps its high byte, v >> 8 (its greyscale map indexes by the high byte).

import type { Decoded } from './decoded';

export interface SampleLayout {
  samplesPerPixel: number;
  bitsPerSample: 8 | 16;
  /** PlanarConfiguration 2: one buffer per sample, of which the first three (or one, for grey) are given. */
  separatePlanes: boolean;
  /** The byte order of 16-bit samples. */
  littleEndian: boolean;
  /** Predictor 2 still to undo on 16-bit samples (geotiff undoes it in the machine's byte order, not the file's). */
  undoPredictor: boolean;
  /** Photometric MinIsWhite: grey 0 is white. */
  minIsWhite: boolean;
}

/** The 16-bit to 8-bit map of libtiff's TIFFRGBAImage for RGB samples. */
const RGB16_TO_8 = (() => {
  const map = new Uint8Array(65536);
  for (let v = 0; v < 65536; v++) map[v] = Math.floor((v + 128) / 257);
  return map;
})();

/** 16-bit samples of a buffer in the given byte order, with Predictor 2 undone when asked (stride: samples per pixel in the buffer). */
function words(bytes: Uint8Array, count: number, layout: SampleLayout, rowSamples: number, stride: number): Uint16Array {
  const out = new Uint16Array(count);
  const view = new DataView(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, count * 2));
  const n = Math.min(count, view.byteLength >> 1);
  for (let i = 0; i < n; i++) out[i] = view.getUint16(i * 2, layout.littleEndian);
  if (layout.undoPredictor) {
    for (let row = 0; row + rowSamples <= count; row += rowSamples) {
      for (let i = row + stride; i < row + rowSamples; i++) out[i] = (out[i]! + out[i - stride]!) & 0xffff;
    }
  }
  return out;
}

/**
 * RGB of a block `width` pixels wide (its stored width) and `height` rows, from its decoded samples:
 * one buffer when interleaved, one per plane (at least the first three, or the first for grey)
 * when separate. Each buffer holds whole rows of the block; rows past `height` are ignored.
 */
export function samplesToRgb(buffers: readonly Uint8Array[], width: number, height: number, layout: SampleLayout): Decoded {
  const pixels = width * height;
  const colour = layout.samplesPerPixel >= 3;
  // The common case, interleaved 8-bit RGB, is already what is wanted.
  if (layout.bitsPerSample === 8 && !layout.separatePlanes && layout.samplesPerPixel === 3 && buffers[0]!.length >= pixels * 3) {
    return { data: buffers[0]!.subarray(0, pixels * 3), width, height, channels: 3 };
  }
  const planes = layout.separatePlanes ? buffers.length : 1;
  const perBuffer = layout.separatePlanes ? 1 : layout.samplesPerPixel;
  const out = new Uint8Array(pixels * 3);
  // Each output channel reads plane `plane` at sample offset `offset` of every `perBuffer`.
  const sources = (colour ? [0, 1, 2] : [0]).map((c) => ({
    plane: layout.separatePlanes ? Math.min(c, planes - 1) : 0,
    offset: layout.separatePlanes ? 0 : c,
  }));
  if (layout.bitsPerSample === 8) {
    for (const [k, { plane, offset }] of sources.entries()) {
      const src = buffers[plane]!;
      for (let p = 0, s = offset; p < pixels; p++, s += perBuffer) {
        const v = src[s] ?? 0;
        if (colour) out[p * 3 + k] = v;
        else out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = layout.minIsWhite ? 255 - v : v;
      }
    }
    return { data: out, width, height, channels: 3 };
  }
  const rowSamples = width * perBuffer;
  const decoded = new Map<number, Uint16Array>();
  for (const { plane } of sources) {
    if (!decoded.has(plane)) decoded.set(plane, words(buffers[plane]!, rowSamples * height, layout, rowSamples, perBuffer));
  }
  for (const [k, { plane, offset }] of sources.entries()) {
    const src = decoded.get(plane)!;
    for (let p = 0, s = offset; p < pixels; p++, s += perBuffer) {
      const v = src[s]!;
      if (colour) out[p * 3 + k] = RGB16_TO_8[v]!;
      else out[p * 3] = out[p * 3 + 1] = out[p * 3 + 2] = layout.minIsWhite ? 255 - (v >> 8) : v >> 8;
    }
  }
  return { data: out, width, height, channels: 3 };
}
