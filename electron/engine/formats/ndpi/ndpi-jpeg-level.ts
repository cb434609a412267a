// One stored NDPI pyramid level: a single JPEG whose restart intervals (a run of MCUs each, whole
// MCU rows of them across the level) are found through the MCU-starts tag, or by scanning for
// restart markers where it is missing or unusable. The level is served as a grid of tiles of whole
// intervals - about 256 px square where the intervals allow - each assembled into a standalone JPEG
// without decoding (codecs/jpeg-restart.ts).

import { assembleRestartJpeg, endsWithRestartMarker, findRestartMarkers, type RestartJpegHeader, readRestartJpegHeader } from '../../codecs/jpeg-restart';
import { SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';

/** JPEG frames hold sides up to 65535; libjpeg takes at most this (OpenSlide patches larger ones to it). */
const JPEG_MAX_DIMENSION = 65500;
/** A level's JPEG header is a few KB of tables; more is not a header. */
const MAX_HEADER_BYTES = 256 * 1024;
/** Restart intervals a level may have (their start offsets are 8 bytes each). */
const MAX_INTERVALS = 16 * 1024 * 1024;
/** A level without restart markers is decoded whole: at most this many pixels. */
const MAX_UNTILED_PIXELS = 64 * 1024 * 1024;
/** Target tile area: 256 x 256 where intervals tile it, else whole intervals stacked to about this. */
const TILE_SIDES = [256, 512, 1024];
const TILE_AREA = 512 * 512;
const SCAN_CHUNK = 256 * 1024;
const RST0 = 0xd0;
/** Interval starts not yet scanned for, and those whose marker is damaged. */
const UNKNOWN = -1;
const LOST = -2;

export interface NdpiLevelLocation {
  /** Directory index, for messages. */
  index: number;
  width: number;
  height: number;
  /** The JPEG's first byte and length in the file. */
  start: number;
  length: number;
  /** Interval start offsets from the MCU-starts tag, relative to the JPEG, when recorded. */
  recordedStarts: readonly number[] | null;
}

/** Where one interval of a tile goes, for decoding intervals one by one. */
export interface PlacedInterval {
  x: number;
  y: number;
  jpeg: Uint8Array;
}

export class NdpiJpegLevel {
  readonly width: number;
  readonly height: number;
  /** Interval size (OpenSlide's tile size for the level). */
  readonly intervalWidth: number;
  readonly intervalHeight: number;
  readonly intervalsAcross: number;
  readonly intervalsDown: number;
  /** This level's tile grid, in intervals per tile. */
  readonly groupAcross: number;
  readonly groupDown: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly tilesAcross: number;
  readonly tilesDown: number;
  readonly components: number;
  /** Absolute file offsets of each interval's data, or UNKNOWN or LOST. */
  private readonly starts: Float64Array;
  private readonly recorded: boolean;
  private readonly end: number;
  private scanning: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: SlideFile,
    private readonly location: NdpiLevelLocation,
    private readonly jpeg: RestartJpegHeader,
  ) {
    const { width, height } = location;
    this.width = width;
    this.height = height;
    this.end = location.start + location.length;
    this.components = jpeg.components;
    const mcusPerRow = Math.ceil(width / jpeg.mcuWidth);
    const interval = jpeg.restartInterval;
    if (interval === 0) {
      this.intervalWidth = width;
      this.intervalHeight = height;
      this.intervalsAcross = 1;
      this.intervalsDown = 1;
    } else {
      this.intervalWidth = jpeg.mcuWidth * interval;
      this.intervalHeight = jpeg.mcuHeight;
      this.intervalsAcross = mcusPerRow / interval;
      this.intervalsDown = Math.ceil(height / jpeg.mcuHeight);
    }
    const side = TILE_SIDES.find((s) => s % this.intervalWidth === 0 && s % this.intervalHeight === 0);
    if (interval > 0 && side !== undefined) {
      this.groupAcross = side / this.intervalWidth;
      this.groupDown = side / this.intervalHeight;
    } else {
      this.groupAcross = 1;
      this.groupDown = interval > 0 ? Math.max(1, Math.round(TILE_AREA / (this.intervalWidth * this.intervalHeight))) : 1;
    }
    this.tileWidth = this.groupAcross * this.intervalWidth;
    this.tileHeight = this.groupDown * this.intervalHeight;
    this.tilesAcross = Math.ceil(this.intervalsAcross / this.groupAcross);
    this.tilesDown = Math.ceil(this.intervalsDown / this.groupDown);
    const count = this.intervalsAcross * this.intervalsDown;
    this.starts = new Float64Array(count).fill(UNKNOWN);
    this.starts[0] = location.start + jpeg.header.length;
    const recorded = location.recordedStarts;
    this.recorded = recorded !== null && recorded.length === count;
    if (this.recorded) {
      // Checked as they are used: each must follow a restart marker, in order, inside the JPEG.
      for (let i = 1; i < count; i++) this.starts[i] = location.start + recorded![i]!;
    }
  }

  /** Reads and checks the level's JPEG header; refuses layouts OpenSlide refuses too. */
  static async open(file: SlideFile, location: NdpiLevelLocation): Promise<NdpiJpegLevel> {
    const fail = (code: 'CORRUPT_DATA' | 'UNSUPPORTED_FORMAT' | 'TOO_LARGE', reason: string) =>
      new SlideError(code, `Level image ${location.index} (${location.width} x ${location.height}): ${reason}.`, file.path);
    if (location.start + location.length > file.size) throw fail('CORRUPT_DATA', 'its JPEG data lies beyond the end of the file: the file is truncated');
    const head = await file.source.readChunk(location.start, Math.min(location.length, MAX_HEADER_BYTES));
    const jpeg = readRestartJpegHeader(head);
    if (typeof jpeg === 'string') throw fail('CORRUPT_DATA', `its JPEG is damaged (${jpeg})`);
    const { width, height } = location;
    // A frame cannot declare a side over 65535 (NanoZoomer writes 0 there); the TIFF tags then say the truth.
    if (width <= 0xffff && height <= 0xffff && (jpeg.frameWidth !== width || jpeg.frameHeight !== height)) {
      throw fail('CORRUPT_DATA', `its JPEG frame is ${jpeg.frameWidth} x ${jpeg.frameHeight}`);
    }
    if (jpeg.restartInterval === 0) {
      if (width * height > MAX_UNTILED_PIXELS) throw fail('TOO_LARGE', 'it has no restart markers, and is too large to decode whole');
    } else {
      const mcusPerRow = Math.ceil(width / jpeg.mcuWidth);
      if (jpeg.restartInterval > mcusPerRow || mcusPerRow % jpeg.restartInterval !== 0) {
        throw fail('UNSUPPORTED_FORMAT', `its restart interval (${jpeg.restartInterval} MCUs) does not divide its rows of ${mcusPerRow} MCUs`);
      }
      if (jpeg.mcuWidth * jpeg.restartInterval > JPEG_MAX_DIMENSION) throw fail('UNSUPPORTED_FORMAT', 'its restart intervals are wider than a JPEG can be');
      const intervals = (mcusPerRow / jpeg.restartInterval) * Math.ceil(height / jpeg.mcuHeight);
      if (intervals > MAX_INTERVALS) throw fail('TOO_LARGE', 'it has too many restart intervals');
      // Every interval but the last ends in a 2-byte marker.
      if (2 * intervals > location.length) throw fail('CORRUPT_DATA', `its ${location.length} bytes of JPEG cannot hold ${intervals} restart intervals`);
    }
    return new NdpiJpegLevel(file, location, jpeg);
  }

  /** Pixel size of tile (col, row): edge tiles hold what is left of the level. */
  tileSize(col: number, row: number): { width: number; height: number } {
    return {
      width: Math.min(this.tileWidth, this.width - col * this.tileWidth),
      height: Math.min(this.tileHeight, this.height - row * this.tileHeight),
    };
  }

  /** A tile as one standalone JPEG, assembled from its intervals' stored data. */
  async tileJpeg(col: number, row: number): Promise<Uint8Array> {
    const { width, height } = this.tileSize(col, row);
    const rows = await this.tileIntervals(col, row);
    return assembleRestartJpeg(this.jpeg, width, height, rows.flat());
  }

  /** A tile's intervals, each a standalone JPEG, placed in the tile: for decoders that go interval by interval. */
  async tileIntervalJpegs(col: number, row: number): Promise<PlacedInterval[]> {
    const rows = await this.tileIntervals(col, row);
    const out: PlacedInterval[] = [];
    rows.forEach((intervals, r) => {
      intervals.forEach((data, c) => {
        const x = c * this.intervalWidth;
        const y = r * this.intervalHeight;
        const width = Math.min(this.intervalWidth, this.width - (col * this.tileWidth + x));
        const height = Math.min(this.intervalHeight, this.height - (row * this.tileHeight + y));
        out.push({ x, y, jpeg: assembleRestartJpeg(this.jpeg, width, height, [data]) });
      });
    });
    return out;
  }

  /**
   * A tile as JPEGs that decode to OpenSlide's pixels. OpenSlide decodes each restart interval
   * alone, so where chroma is subsampled libjpeg's fancy upsampling sees an interval's edge where a
   * decode of several sees its neighbour: across (4:2:2) a tile goes as its columns of intervals
   * (upsampling runs along rows only), across and down (4:2:0) as its intervals.
   */
  async tileDecodePieces(col: number, row: number): Promise<PlacedInterval[]> {
    if (this.jpeg.mcuHeight > 8) return this.tileIntervalJpegs(col, row);
    if (this.jpeg.mcuWidth <= 8 || this.groupAcross === 1) return [{ x: 0, y: 0, jpeg: await this.tileJpeg(col, row) }];
    const rows = await this.tileIntervals(col, row);
    const { height } = this.tileSize(col, row);
    return rows[0]!.map((_, c) => {
      const x = c * this.intervalWidth;
      const width = Math.min(this.intervalWidth, this.width - (col * this.tileWidth + x));
      return {
        x,
        y: 0,
        jpeg: assembleRestartJpeg(
          this.jpeg,
          width,
          height,
          rows.map((intervals) => intervals[c]!),
        ),
      };
    });
  }

  /** The entropy-coded data of a tile's intervals, row by row, each without its closing marker. */
  private async tileIntervals(col: number, row: number): Promise<Uint8Array[][]> {
    const c0 = col * this.groupAcross;
    const c1 = Math.min(c0 + this.groupAcross, this.intervalsAcross);
    const r0 = row * this.groupDown;
    const r1 = Math.min(r0 + this.groupDown, this.intervalsDown);
    const last = (r1 - 1) * this.intervalsAcross + c1 - 1;
    await this.knowStarts(Math.min(last + 1, this.starts.length - 1));
    const { width, height } = this.tileSize(col, row);
    const budget = 2 * width * height * this.components + 64 * 1024;
    let total = 0;
    const ranges: Array<{ first: number; from: number; to: number }> = [];
    for (let r = r0; r < r1; r++) {
      const first = r * this.intervalsAcross + c0;
      const after = r * this.intervalsAcross + c1;
      const from = this.starts[first]!;
      const to = after < this.starts.length ? this.starts[after]! : this.end;
      if (!(from >= this.starts[0]! && to > from + 2 && to <= this.end)) throw this.badStarts(first);
      total += to - from;
      ranges.push({ first, from, to });
    }
    if (total > budget) {
      throw new SlideError(
        'CORRUPT_DATA',
        `A tile of level image ${this.location.index} spans ${total} bytes, more than its pixels can take as JPEG.`,
        this.file.path,
      );
    }
    const rowData = this.file.readRangesSync(
      ranges.map(({ from, to }) => ({ offset: from, length: to - from })),
      'A tile',
    );
    return ranges.map(({ first, from, to }, r) => {
      const data = rowData[r]!;
      const intervals: Uint8Array[] = [];
      for (let i = first; i < first + (c1 - c0); i++) {
        const start = this.starts[i]! - from;
        const stop = (i + 1 < first + (c1 - c0) ? this.starts[i + 1]! : to) - from;
        if (start < 0 || stop > data.length || stop <= start + 1 || data[stop - 2] !== 0xff) throw this.badStarts(i);
        const marker = data[stop - 1]!;
        const inTurn = endsWithRestartMarker(data, stop) && marker === RST0 + (i % 8);
        if (!(inTurn || (marker === 0xd9 && i === this.starts.length - 1))) throw this.badStarts(i);
        intervals.push(data.subarray(start, stop - 2));
      }
      return intervals;
    });
  }

  private badStarts(interval: number): SlideError {
    return new SlideError(
      'CORRUPT_DATA',
      `Level image ${this.location.index}: restart interval ${interval} is not where the file ${this.recorded ? 'records it' : 'has its marker'} (the JPEG is damaged).`,
      this.file.path,
    );
  }

  /**
   * Makes starts[0..upTo] known, scanning for restart markers from the last known one. Markers count
   * RST0-RST7 in turn, so a damaged one shows as a gap in that count: the intervals it hid are marked
   * lost and the scan stays aligned after them.
   */
  private knowStarts(upTo: number): Promise<void> {
    if (this.starts[upTo] !== UNKNOWN) return Promise.resolve();
    // One scan at a time: a second request waits and then finds its starts known.
    const run = this.scanning.then(async () => {
      let known = upTo;
      while (this.starts[known] === UNKNOWN) known--;
      let pos = this.starts[known]!;
      let carry = false;
      while (known < upTo) {
        if (pos >= this.end) throw this.badStarts(known + 1);
        const chunk = await this.file.read(pos, Math.min(SCAN_CHUNK, this.end - pos), 'A level image');
        const { after, carry: more } = findRestartMarkers(chunk, carry);
        for (const a of after) {
          if (known >= upTo) break;
          // This marker ends interval `known` when in turn; otherwise that many markers were lost.
          const lost = (chunk[a - 1]! - RST0 - (known % 8) + 8) % 8;
          for (let i = 0; i < lost && known + 1 < this.starts.length; i++) this.starts[++known] = LOST;
          if (known + 1 < this.starts.length) this.starts[++known] = pos + a;
        }
        carry = more;
        pos += chunk.length;
      }
    });
    this.scanning = run.catch(() => undefined);
    return run;
  }
}
