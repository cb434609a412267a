// A baseline JPEG at 1/2, 1/4 or 1/8 of its size, exactly as libjpeg-turbo's defaults make it (the
// extra levels OpenSlide gives NDPI slides): TurboJPEG's own scaled decode where its library loads,
// native and with nothing for V8 to warm up in each fresh engine (docs/performance.md, "NDPI"), else
// the engine's reproduction of it, which also rules on every stream libjpeg warns about. TurboJPEG
// also decodes progressive and arithmetic-coded streams, as OpenSlide's libjpeg does; the engine's
// own decoder refuses them (where TurboJPEG cannot be loaded: Windows).

import { decodeJpegScaled, type ScaledRgb } from './jpeg-scaled-decoder';
import { jpegStreamDecoder } from './turbojpeg3';

/** decodeJpegScaled's pixels and errors; maxPixels bounds the frame the stream declares. */
export function decodeJpegScaledExact(jpeg: Uint8Array, scale: 2 | 4 | 8, maxPixels: number): ScaledRgb {
  return nativeScaled(jpeg, scale, maxPixels) ?? decodeJpegScaled(jpeg, scale, maxPixels);
}

function nativeScaled(jpeg: Uint8Array, scale: 2 | 4 | 8, maxPixels: number): ScaledRgb | null {
  const decoder = jpegStreamDecoder();
  if (!decoder) return null;
  try {
    return decoder.withStream(jpeg, (stream) => {
      if (!stream.scalable || !stream.rgb || stream.width * stream.height > maxPixels) return null;
      const width = Math.ceil(stream.width / scale);
      const height = Math.ceil(stream.height / scale);
      const data = new Uint8Array(width * height * 3);
      return stream.decodeExact(data, Math.log2(scale)) ? { data, width, height } : null;
    });
  } catch {
    // A header libjpeg rejects: the engine's decoder says why, in its own words.
    return null;
  }
}
