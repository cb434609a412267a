// JPEG streams cut into restart intervals (Hamamatsu NDPI stores each pyramid level as one such
// JPEG). An interval's entropy-coded data starts with fresh DC predictors, so any run of intervals
// that makes whole MCU rows of a rectangle is itself a valid JPEG: the stream's own header with the
// rectangle's size in its frame, the intervals' data, and restart markers renumbered 0-7 in their
// new order. That lets a tile-sized rectangle of a 100000-pixel level be decoded - or sent to the
// viewer undecoded - without touching the rest of the level.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const DRI = 0xdd;
const RST0 = 0xd0;

/** What the header of a restart-interval JPEG says about its layout. */
export interface RestartJpegHeader {
  /** Bytes from SOI up to the end of the SOS segment: the header every rectangle reuses. */
  header: Uint8Array;
  /** Where the SOF marker (0xFF 0xCn) sits in `header`. */
  sofAt: number;
  /** The frame's size as declared (0, or wrong, for sides over 65535: the caller knows better). */
  frameWidth: number;
  frameHeight: number;
  components: number;
  /** MCUs between restart markers; 0 when the stream has none. */
  restartInterval: number;
  mcuWidth: number;
  mcuHeight: number;
}

/**
 * Reads the header of a JPEG (baseline or extended Huffman, one scan) from its first bytes, which
 * must reach the end of the SOS segment. Returns the reason when the stream is not such a JPEG.
 */
export function readRestartJpegHeader(head: Uint8Array): RestartJpegHeader | string {
  if (head.length < 4 || head[0] !== 0xff || head[1] !== SOI) return 'no JPEG start marker';
  let pos = 2;
  let sofAt = -1;
  let restartInterval = 0;
  let components = 0;
  let frameWidth = 0;
  let frameHeight = 0;
  const sampling = new Map<number, { h: number; v: number }>();
  while (pos + 4 <= head.length) {
    if (head[pos] !== 0xff) return `no marker at byte ${pos}`;
    const marker = head[pos + 1]!;
    if (marker === 0xff) {
      pos++;
      continue;
    }
    const length = (head[pos + 2]! << 8) | head[pos + 3]!;
    if (length < 2 || pos + 2 + length > head.length) return 'the JPEG header is truncated or has a bogus marker length';
    const body = head.subarray(pos + 4, pos + 2 + length);
    if (marker === 0xc0 || marker === 0xc1) {
      if (sofAt >= 0) return 'more than one frame header';
      if (body.length < 6 || body[0] !== 8) return 'not an 8-bit frame';
      frameHeight = (body[1]! << 8) | body[2]!;
      frameWidth = (body[3]! << 8) | body[4]!;
      components = body[5]!;
      if (body.length < 6 + 3 * components) return 'the frame header is truncated';
      for (let c = 0; c < components; c++) {
        const factors = body[7 + 3 * c]!;
        sampling.set(body[6 + 3 * c]!, { h: factors >> 4, v: factors & 15 });
      }
      sofAt = pos;
    } else if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return `frame type 0x${marker.toString(16)} (only baseline and extended Huffman JPEG are read)`;
    } else if (marker === DRI) {
      if (body.length < 2) return 'a bogus restart interval';
      restartInterval = (body[0]! << 8) | body[1]!;
    } else if (marker === SOS) {
      if (sofAt < 0) return 'scan before frame header';
      const inScan = body[0] ?? 0;
      if (inScan < 1 || body.length < 1 + 2 * inScan) return 'a bogus scan header';
      // One component scans: 8 x 8 MCUs whatever the sampling (libjpeg's rule; OpenSlide's too).
      let mcuWidth = 8;
      let mcuHeight = 8;
      if (inScan > 1) {
        const factors = [...sampling.values()];
        if (factors.some((f) => f.h < 1 || f.h > 4 || f.v < 1 || f.v > 4)) return 'bogus sampling factors';
        mcuWidth = 8 * Math.max(...factors.map((f) => f.h));
        mcuHeight = 8 * Math.max(...factors.map((f) => f.v));
      }
      if (components !== 1 && components !== 3) return `${components} colour components`;
      return {
        header: head.slice(0, pos + 2 + length),
        sofAt,
        frameWidth,
        frameHeight,
        components,
        restartInterval,
        mcuWidth,
        mcuHeight,
      };
    }
    pos += 2 + length;
  }
  return 'the JPEG header is truncated before its scan';
}

/**
 * A standalone JPEG of width x height pixels from consecutive restart intervals, each given as its
 * entropy-coded data without the marker that ended it, in raster order. The header's restart
 * interval must make whole intervals of the rectangle's rows (the caller's grid ensures it).
 */
export function assembleRestartJpeg(source: RestartJpegHeader, width: number, height: number, intervals: readonly Uint8Array[]): Uint8Array {
  const { header, sofAt } = source;
  let size = header.length + 2 * intervals.length;
  for (const data of intervals) size += data.length;
  const out = new Uint8Array(size);
  out.set(header);
  // SOF: FF Cn, length (2), precision (1), height (2), width (2).
  out[sofAt + 5] = height >> 8;
  out[sofAt + 6] = height & 255;
  out[sofAt + 7] = width >> 8;
  out[sofAt + 8] = width & 255;
  let at = header.length;
  intervals.forEach((data, i) => {
    out.set(data, at);
    at += data.length;
    out[at++] = 0xff;
    out[at++] = i === intervals.length - 1 ? EOI : RST0 + (i % 8);
  });
  return out;
}

/** Whether the two bytes before `at` are a restart marker (where an interval's recorded start must follow one). */
export function endsWithRestartMarker(bytes: Uint8Array, at: number): boolean {
  return at >= 2 && bytes[at - 2] === 0xff && bytes[at - 1]! >= RST0 && bytes[at - 1]! <= RST0 + 7;
}

/**
 * Positions just past each restart marker in `data` (entropy-coded bytes, in which 0xFF is always
 * followed by 0x00 stuffing, a marker, or more 0xFF fill). `carry` says the previous chunk ended
 * with 0xFF; the returned carry says whether this one does.
 */
export function findRestartMarkers(data: Uint8Array, carry: boolean): { after: number[]; carry: boolean } {
  const after: number[] = [];
  let i = 0;
  if (carry && data.length > 0) {
    if (data[0]! >= RST0 && data[0]! <= RST0 + 7) after.push(1);
    if (data[0] !== 0xff) i = 1;
  }
  for (;;) {
    const ff = data.indexOf(0xff, i);
    if (ff < 0) return { after, carry: false };
    let next = ff + 1;
    while (next < data.length && data[next] === 0xff) next++;
    if (next >= data.length) return { after, carry: true };
    const marker = data[next]!;
    if (marker >= RST0 && marker <= RST0 + 7) after.push(next + 1);
    i = next + 1;
  }
}
