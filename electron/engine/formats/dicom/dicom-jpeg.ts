// A DICOM JPEG frame's colour space, as its Photometric Interpretation says, made plain to every
// decoder. libjpeg (sharp here, Chromium in the viewer) guesses from markers: a JFIF APP0 means
// YCbCr, else an Adobe APP14's transform, else the component ids (R, G, B: RGB; else YCbCr). DICOM
// says it in the header instead (RGB: components untransformed; YBR_FULL_422 / YBR_FULL: YCbCr), so
// a frame whose markers would be guessed otherwise gets an Adobe marker that says it, and loses the
// markers that said otherwise, as OpenSlide tells libjpeg the colour space outright.

import type { JpegColourSpace } from '../../../../shared/slide';
import { jpegStructureProblem } from '../../codecs/jpeg-stream';

const SOI = 0xd8;
const APP0 = 0xe0;
const APP14 = 0xee;

/** Adobe APP14 with its transform: 0 (RGB components) or 1 (YCbCr). */
function adobeMarker(transform: 0 | 1): Uint8Array {
  return Uint8Array.from([0xff, APP14, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, transform]);
}

interface Segment {
  start: number;
  end: number;
  marker: number;
}

/** Marker segments from SOI up to the first scan, or null when the stream is not that shape (the decoder reports it). */
function headerSegments(jpeg: Uint8Array): { segments: Segment[]; scan: number } | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return null;
  const segments: Segment[] = [];
  for (let pos = 2; pos + 4 <= jpeg.length; ) {
    if (jpeg[pos] !== 0xff) return null;
    const marker = jpeg[pos + 1]!;
    if (marker === 0xda) return { segments, scan: pos };
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (length < 2 || pos + 2 + length > jpeg.length) return null;
    segments.push({ start: pos, end: pos + 2 + length, marker });
    pos += 2 + length;
  }
  return null;
}

function isJfif(jpeg: Uint8Array, s: Segment): boolean {
  return s.marker === APP0 && s.end - s.start >= 9 && jpeg[s.start + 4] === 0x4a && jpeg[s.start + 5] === 0x46 && jpeg[s.start + 6] === 0x49;
}

function isAdobe(jpeg: Uint8Array, s: Segment): boolean {
  return s.marker === APP14 && s.end - s.start >= 16 && jpeg[s.start + 4] === 0x41 && jpeg[s.start + 5] === 0x64 && jpeg[s.start + 6] === 0x6f;
}

/** The colour space libjpeg assumes for a 3-component frame, from its markers; null for other component counts. */
function guessedColourSpace(jpeg: Uint8Array, segments: readonly Segment[]): JpegColourSpace | null {
  const frame = segments.find((s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
  if (!frame || frame.end - frame.start < 19 || jpeg[frame.start + 9] !== 3) return null;
  if (segments.some((s) => isJfif(jpeg, s))) return 'ycbcr';
  const adobe = segments.find((s) => isAdobe(jpeg, s));
  if (adobe) return jpeg[adobe.start + 15] === 0 ? 'rgb' : 'ycbcr';
  const ids = [jpeg[frame.start + 10], jpeg[frame.start + 13], jpeg[frame.start + 16]];
  return ids[0] === 0x52 && ids[1] === 0x47 && ids[2] === 0x42 ? 'rgb' : 'ycbcr';
}

/** The frame as a JPEG any decoder reads in `colour`: itself when its markers already say so (or it has one component: null). */
export function jpegInColourSpace(jpeg: Uint8Array, colour: JpegColourSpace | null): Uint8Array {
  if (colour === null) return jpeg;
  const header = headerSegments(jpeg);
  if (!header) return jpeg;
  const guessed = guessedColourSpace(jpeg, header.segments);
  if (guessed === null || guessed === colour) return jpeg;
  const kept = header.segments.filter((s) => !isJfif(jpeg, s) && !isAdobe(jpeg, s));
  const marker = adobeMarker(colour === 'rgb' ? 0 : 1);
  const size = 2 + marker.length + kept.reduce((n, s) => n + s.end - s.start, 0) + (jpeg.length - header.scan);
  const out = new Uint8Array(size);
  out[0] = 0xff;
  out[1] = SOI;
  out.set(marker, 2);
  let at = 2 + marker.length;
  for (const s of kept) {
    out.set(jpeg.subarray(s.start, s.end), at);
    at += s.end - s.start;
  }
  out.set(jpeg.subarray(header.scan), at);
  return out;
}

/** A stored JPEG frame made standalone for any decoder (its colour space said), checked without decoding; or what is wrong with it. */
export function dicomFrameJpeg(frame: Uint8Array, colour: JpegColourSpace | null, columns: number, rows: number): Uint8Array | string {
  const jpeg = jpegInColourSpace(frame, colour);
  return jpegStructureProblem(jpeg, columns, rows) ?? jpeg;
}
