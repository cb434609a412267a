import type { ImageFormat } from '../../../shared/operations';
import { type Provenance, provenanceXmp } from '../../../shared/provenance';
import type { RgbImage } from '../../../shared/slide';
import { sharpFrom } from '../pixels';

/** PNG lossless; JPEG q92 4:4:4 (stain colours); TIFF deflate-compressed, lossless. `provenance` goes in as XMP. */
export async function encodeImage(image: RgbImage, format: ImageFormat, provenance?: Provenance): Promise<Uint8Array> {
  const pipeline = provenance ? sharpFrom(image).withXmp(provenanceXmp(provenance)) : sharpFrom(image);
  const out =
    format === 'png'
      ? await pipeline.png({ compressionLevel: 6 }).toBuffer()
      : format === 'jpeg'
        ? await pipeline.jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer()
        : await pipeline.tiff({ compression: 'deflate', predictor: 'horizontal' }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
