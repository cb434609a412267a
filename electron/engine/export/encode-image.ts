import type { ImageFormat } from '../../../shared/operations';
import { type Provenance, provenanceXmp } from '../../../shared/provenance';
import type { Mpp, RgbImage } from '../../../shared/slide';
import { sharpFrom } from '../pixels';
import { pngChunk, withChunk } from '../png-chunks';
import { legendBand, type Rgba } from './annotation-burn';

export interface EncodeOptions {
  /** What the image is made from, written in as XMP. */
  provenance?: Provenance | undefined;
  /**
   * Its pixels' physical size (µm), written where the format keeps one (TIFF resolution in pixels per
   * cm, PNG pHYs, JFIF density) so that ImageJ/Fiji and QuPath measure it in µm; null where the slide
   * gives none or the pixels have no one size (a comparison of several magnifications).
   */
  pixelSize?: Mpp | null | undefined;
  /**
   * A legend in a band below the image, put there as the image is encoded (libvips draws the band as
   * it writes): the largest export with a legend below is not held twice.
   */
  legendBelow?: Rgba | null | undefined;
}

/**
 * PNG lossless; JPEG q92 4:4:4 (stain colours), over white where the image has alpha; TIFF
 * deflate-compressed, lossless. PNG and TIFF keep an alpha channel (a region's outside of the slide).
 */
export async function encodeImage(image: RgbImage, format: ImageFormat, options: EncodeOptions = {}): Promise<Uint8Array> {
  const { provenance, pixelSize, legendBelow } = options;
  let pipeline = sharpFrom(image);
  if (legendBelow) {
    const band = legendBand(image, legendBelow);
    pipeline = pipeline
      .extend({ bottom: band.height - image.height, right: band.width - image.width, background: '#ffffff' })
      .composite([{ input: legendBelow.data, raw: { width: legendBelow.width, height: legendBelow.height, channels: 4 }, left: band.left, top: band.top }]);
    if (image.channels === 3) pipeline = pipeline.removeAlpha();
  }
  if (provenance) pipeline = pipeline.withXmp(provenanceXmp(provenance));
  let out: Uint8Array;
  if (format === 'png') {
    out = withChunk(await pipeline.png({ compressionLevel: 6 }).toBuffer(), physChunk(pixelSize ?? null));
  } else if (format === 'jpeg') {
    const flat = image.channels === 4 ? pipeline.flatten({ background: '#ffffff' }) : pipeline;
    out = withJfifDensity(await flat.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer(), pixelSize ?? null);
  } else {
    // libvips takes pixels per mm and writes them per cm; no size known is said as 72 an inch, the
    // convention for none, where libvips would claim 1 mm a pixel.
    const resolution = pixelSize
      ? { xres: 1000 / pixelSize.x, yres: 1000 / pixelSize.y, resolutionUnit: 'cm' as const }
      : { xres: 72 / 25.4, yres: 72 / 25.4, resolutionUnit: 'inch' as const };
    out = await pipeline.tiff({ compression: 'deflate', predictor: 'horizontal', ...resolution }).toBuffer();
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** Pixels per `unitUm` µm along x and y, when both are whole numbers from 1 to `max`; else null. */
function densities(pixelSize: Mpp | null, unitUm: number, max: number): [number, number] | null {
  if (!pixelSize) return null;
  const both: [number, number] = [Math.round(unitUm / pixelSize.x), Math.round(unitUm / pixelSize.y)];
  return both.every((n) => n >= 1 && n <= max) ? both : null;
}

/** pHYs: pixels per metre, or (no size known) only the pixels' aspect, 1:1, where libvips would claim 1 mm a pixel. */
function physChunk(pixelSize: Mpp | null): Uint8Array {
  const perMetre = densities(pixelSize, 1e6, 0xffffffff);
  const body = Buffer.alloc(9);
  body.writeUInt32BE(perMetre?.[0] ?? 1, 0);
  body.writeUInt32BE(perMetre?.[1] ?? 1, 4);
  body.writeUInt8(perMetre ? 1 : 0, 8);
  return pngChunk('pHYs', body);
}

/**
 * A JFIF APP0 segment after SOI giving pixels per cm (libvips writes none). Its 16-bit densities hold
 * pixels of 0.153 µm and larger, to within half a pixel per cm; finer ones are left unsaid.
 */
function withJfifDensity(jpeg: Uint8Array, pixelSize: Mpp | null): Uint8Array {
  const perCm = densities(pixelSize, 1e4, 0xffff);
  if (!perCm || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return jpeg;
  const app0 = Buffer.alloc(18);
  app0.writeUInt16BE(0xffe0, 0);
  app0.writeUInt16BE(16, 2);
  app0.write('JFIF\0', 4, 'latin1');
  app0.writeUInt16BE(0x0102, 9); // version 1.02
  app0.writeUInt8(2, 11); // densities in pixels per cm
  app0.writeUInt16BE(perCm[0], 12);
  app0.writeUInt16BE(perCm[1], 14);
  // bytes 16-17: no embedded thumbnail
  return Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
}
