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

/** A standalone JPEG from a TIFF tile: tables spliced in after SOI, and the Adobe marker for RGB. */
export function completeJpeg(tile: Uint8Array, tables: Uint8Array | undefined, rgbComponents: boolean): Uint8Array {
  if (tile.length < 4 || tile[0] !== 0xff || tile[1] !== SOI) return tile; // let the decoder report it
  const tableBody = tables && tables.length >= 4 && tables[0] === 0xff && tables[1] === SOI
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
