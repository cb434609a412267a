// TIFF JPEG tiles (compression 7) are abbreviated streams: their quantisation and Huffman tables
// live once in the JPEGTables tag. Splicing the tables back makes a standalone JPEG that any
// decoder (sharp, Chromium) reads as it is - which lets the viewer show stored tiles undecoded.

const SOI = 0xd8;
const EOI = 0xd9;

/**
 * Adobe APP14 with transform 0: tells libjpeg the three components are R, G, B, not YCbCr.
 * Aperio writes RGB-photometric tiles with component ids 0,1,2, which decoders otherwise take
 * for YCbCr and convert again (wrong colours).
 */
const ADOBE_RGB = Uint8Array.from([0xff, 0xee, 0x00, 0x0e, 0x41, 0x64, 0x6f, 0x62, 0x65, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00]);

/** A TIFF tile as a standalone JPEG (completeJpeg) whose frame is the tile's size; or what is wrong with it. */
export function storedTiffJpeg(tile: Uint8Array, tables: Uint8Array | undefined, rgbComponents: boolean, width: number, height: number): Uint8Array | string {
  const jpeg = completeJpeg(tile, tables, rgbComponents);
  return jpegStructureProblem(jpeg, width, height) ?? jpeg;
}

/** A standalone JPEG from a TIFF tile: tables spliced in after SOI, and the Adobe marker for RGB. */
export function completeJpeg(tile: Uint8Array, tables: Uint8Array | undefined, rgbComponents: boolean): Uint8Array {
  if (tile.length < 4 || tile[0] !== 0xff || tile[1] !== SOI) return tile; // let the decoder report it
  const tableBody =
    tables && tables.length >= 4 && tables[0] === 0xff && tables[1] === SOI
      ? tables.subarray(2, tables[tables.length - 2] === 0xff && tables[tables.length - 1] === EOI ? tables.length - 2 : tables.length)
      : new Uint8Array(0);
  const marker = rgbComponents ? ADOBE_RGB : new Uint8Array(0);
  const out = new Uint8Array(2 + marker.length + tableBody.length + tile.length - 2);
  out[0] = 0xff;
  out[1] = SOI;
  out.set(marker, 2);
  out.set(tableBody, 2 + marker.length);
  out.set(tile.subarray(2), 2 + marker.length + tableBody.length);
  return out;
}

/** A JPEG's frame header (SOFn): its size and components, as declared. */
export interface JpegFrame {
  width: number;
  height: number;
  components: number;
  /** Whether an ICC profile (APP2 ICC_PROFILE) comes before the scan: sharp's decode converts such an image to sRGB. */
  iccProfile: boolean;
}

const ICC_PROFILE = [0x49, 0x43, 0x43, 0x5f, 0x50, 0x52, 0x4f, 0x46, 0x49, 0x4c, 0x45, 0x00];

/**
 * Walks a JPEG's markers up to its first scan and reads its frame header, without decoding. Returns
 * the frame, or the reason the stream is broken.
 */
export function readJpegFrame(jpeg: Uint8Array): JpegFrame | string {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== SOI) return 'no JPEG start marker';
  let pos = 2;
  let frame: JpegFrame | null = null;
  let iccProfile = false;
  while (pos + 4 <= jpeg.length) {
    if (jpeg[pos] !== 0xff) return `no marker at byte ${pos}`;
    const marker = jpeg[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    // TEM and RSTn stand alone, as libjpeg reads them: a length read after them would skip what it reads.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2;
      continue;
    }
    if (marker === SOI || marker === EOI) return marker === SOI ? 'a second start marker' : 'no scan data';
    const length = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (length < 2 || pos + 2 + length > jpeg.length) return 'bogus marker length';
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 8) return 'bogus frame header';
      if (frame) return 'more than one frame header';
      frame = {
        height: (jpeg[pos + 5]! << 8) | jpeg[pos + 6]!,
        width: (jpeg[pos + 7]! << 8) | jpeg[pos + 8]!,
        components: jpeg[pos + 9]!,
        iccProfile: false,
      };
    }
    if (marker === 0xe2 && length >= 2 + ICC_PROFILE.length && ICC_PROFILE.every((b, i) => jpeg[pos + 4 + i] === b)) iccProfile = true;
    if (marker === 0xda) return frame ? { ...frame, iccProfile } : 'scan before frame header';
    pos += 2 + length;
  }
  return 'no scan data';
}

/**
 * Checks a JPEG's marker structure up to the scan, and its frame size, without decoding: a stored
 * tile sent undecoded must still fail here, typed, rather than as a broken image in the viewer.
 * Returns a reason when the stream is broken, null when it looks sound.
 */
export function jpegStructureProblem(jpeg: Uint8Array, width: number, height: number): string | null {
  const frame = readJpegFrame(jpeg);
  if (typeof frame === 'string') return frame;
  if (frame.width !== width || frame.height !== height) return `frame is ${frame.width} x ${frame.height}, not ${width} x ${height}`;
  return null;
}

/**
 * Checks, before anything decodes it, that a JPEG block's frame fits its block (a decoder allocates
 * what the frame declares): at most width x height (a strip's frame may hold fewer rows), at least
 * one pixel, and at most 4 components. Returns the reason when it does not, null when it does.
 */
export function jpegFrameProblem(jpeg: Uint8Array, width: number, height: number): string | null {
  return frameProblem(readJpegFrame(jpeg), width, height);
}

/** jpegFrameProblem of a frame already read (readJpegFrame's answer). */
export function frameProblem(frame: JpegFrame | string, width: number, height: number): string | null {
  if (typeof frame === 'string') return `its JPEG data is damaged (${frame})`;
  if (frame.width > width || frame.height > height)
    return `its JPEG frame is ${frame.width} x ${frame.height} pixels, larger than its ${width} x ${height} tile`;
  if (frame.width === 0 || frame.height === 0) return `its JPEG frame is ${frame.width} x ${frame.height} pixels`;
  if (frame.components < 1 || frame.components > 4) return `its JPEG frame has ${frame.components} components`;
  return null;
}
