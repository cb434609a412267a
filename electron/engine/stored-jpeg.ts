// A stored tile's bytes, as they lie in the file, made the JPEG the viewer gets, by the framing its
// slide's reader declares (StoredJpegFraming): the engine process's main thread reads stored tiles
// itself (engine-host/stored-tile-reader.ts), and must send the very bytes a lane would.

import type { StoredJpegFraming } from '../../shared/slide';
import { storedTiffJpeg } from './codecs/jpeg-stream';
import { frameOfSpan } from './formats/dicom/dicom-fragments';
import { dicomFrameJpeg } from './formats/dicom/dicom-jpeg';

/** The tile as a standalone JPEG whose frame is width x height; or what is wrong with it. */
export function storedJpeg(stored: Uint8Array, framing: StoredJpegFraming, width: number, height: number): Uint8Array | string {
  if (framing.container === 'tiff') return storedTiffJpeg(stored, framing.jpegTables ?? undefined, framing.rgb, width, height);
  const frame = frameOfSpan(stored);
  return typeof frame === 'string' ? frame : dicomFrameJpeg(frame, framing.colour, width, height);
}
