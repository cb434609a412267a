// Slide pixels into sRGB through the slide's own ICC profile, with libvips (lcms) inside sharp.
// sharp takes an input profile only from the image it loads, so each band of rows goes in as a
// small uncompressed TIFF carrying the profile (tag 34675); sharp converts such an image to sRGB
// as it loads it. Bands bound the extra memory whatever the export's size; the transform is per
// pixel, so banding changes nothing.

import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';

/** Pixels converted per band: 4 MP, 12 MB of RGB. */
const BAND_PIXELS = 4 * 1024 * 1024;

/**
 * Converts an RGB or RGBA image to sRGB in place (alpha untouched). Throws when libvips refuses the
 * profile: nothing would be converted, and the caller must not pass the pixels off as sRGB.
 */
export async function convertToSrgb(image: RgbImage, profile: Uint8Array): Promise<void> {
  const rowsPerBand = Math.max(1, Math.floor(BAND_PIXELS / image.width));
  for (let y = 0; y < image.height; y += rowsPerBand) {
    const rows = Math.min(rowsPerBand, image.height - y);
    const tiff = bandTiff(image, y, rows, profile);
    let refused: string | null = null;
    const pipeline = sharp(tiff).on('warning', (warning: string) => {
      refused ??= warning;
    });
    const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    if (refused !== null) throw new Error(`libvips could not use the profile: ${refused}`);
    if (info.channels !== 3 || info.width !== image.width || info.height !== rows) throw new Error('the converted band is not the size it was');
    writeBand(image, y, rows, data);
  }
}

const TAGS = {
  ImageWidth: 256,
  ImageLength: 257,
  BitsPerSample: 258,
  Compression: 259,
  Photometric: 262,
  StripOffsets: 273,
  SamplesPerPixel: 277,
  RowsPerStrip: 278,
  StripByteCounts: 279,
  PlanarConfiguration: 284,
  ICCProfile: 34675,
} as const;
const SHORT = 3;
const LONG = 4;
const UNDEFINED = 7;

/** A little-endian baseline TIFF of `rows` rows of the image's RGB from row y, with the profile. */
function bandTiff(image: RgbImage, y: number, rows: number, profile: Uint8Array): Uint8Array {
  const pixels = image.width * rows * 3;
  const entries = 11;
  const ifd = 8;
  const bits = ifd + 2 + 12 * entries + 4;
  const iccAt = bits + 6;
  const pixelsAt = iccAt + profile.length + (profile.length & 1);
  const out = new Uint8Array(pixelsAt + pixels);
  const view = new DataView(out.buffer);
  out.set([0x49, 0x49, 42, 0]);
  view.setUint32(4, ifd, true);
  view.setUint16(ifd, entries, true);
  const fields: Array<[number, number, number, number]> = [
    [TAGS.ImageWidth, LONG, 1, image.width],
    [TAGS.ImageLength, LONG, 1, rows],
    [TAGS.BitsPerSample, SHORT, 3, bits],
    [TAGS.Compression, SHORT, 1, 1],
    [TAGS.Photometric, SHORT, 1, 2],
    [TAGS.StripOffsets, LONG, 1, pixelsAt],
    [TAGS.SamplesPerPixel, SHORT, 1, 3],
    [TAGS.RowsPerStrip, LONG, 1, rows],
    [TAGS.StripByteCounts, LONG, 1, pixels],
    [TAGS.PlanarConfiguration, SHORT, 1, 1],
    [TAGS.ICCProfile, UNDEFINED, profile.length, iccAt],
  ];
  fields.forEach(([tag, type, count, value], i) => {
    const at = ifd + 2 + 12 * i;
    view.setUint16(at, tag, true);
    view.setUint16(at + 2, type, true);
    view.setUint32(at + 4, count, true);
    if (type === SHORT && count === 1) view.setUint16(at + 8, value, true);
    else view.setUint32(at + 8, value, true);
  });
  for (let s = 0; s < 3; s++) view.setUint16(bits + 2 * s, 8, true);
  out.set(profile, iccAt);
  if (image.channels === 3) {
    out.set(image.data.subarray(y * image.width * 3, (y + rows) * image.width * 3), pixelsAt);
  } else {
    const from = y * image.width * 4;
    for (let p = 0, s = from, d = pixelsAt; p < image.width * rows; p++, s += 4, d += 3) {
      out[d] = image.data[s]!;
      out[d + 1] = image.data[s + 1]!;
      out[d + 2] = image.data[s + 2]!;
    }
  }
  return out;
}

function writeBand(image: RgbImage, y: number, rows: number, rgb: Uint8Array): void {
  if (image.channels === 3) {
    image.data.set(rgb, y * image.width * 3);
    return;
  }
  for (let p = 0, s = 0, d = y * image.width * 4; p < image.width * rows; p++, s += 3, d += 4) {
    image.data[d] = rgb[s]!;
    image.data[d + 1] = rgb[s + 1]!;
    image.data[d + 2] = rgb[s + 2]!;
  }
}
