// The channels of a fluorescence OME-TIFF (8- or 16-bit planes, one IFD a channel or the samples of
// one IFD) composited into an RGB slide as QuPath shows them at first: each channel in its colour
// (the OME-XML's, else QuPath's defaults), from its display range's low end (black) to its high end
// (full colour), the channels added. The display range is the 0.1st to 99.9th percentile of the
// channel's smallest level at Z = T = 0, as an auto-contrast would set it, and stays so at the other
// focal planes and timepoints (withPlane), as QuPath keeps them. The engine's codecs decode 8-bit RGB
// only, so the blocks are decompressed here (none, LZW, Deflate; Predictor 2 undone).

import { hexToRgb, rgbToHex } from '../../../shared/annotations';
import {
  type ChannelChoice,
  type ChannelInfo,
  type LevelInfo,
  type Mpp,
  type PlaneChoice,
  type PlaneInfo,
  type RgbImage,
  unnamedChannel,
} from '../../../shared/slide';
import { inflateBounded, lzwDecodeInto, undoPredictor8 } from '../codecs/bounded-decoders';
import { SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import { blockName, Compression, type TiffDirectory, type TiffFile } from '../tiff/tiff-file';
import { DecodedTilesOnly } from './decoded-tiles-only';
import { levelsPastEnd, type PlaneStack, pyramidLevels, pyramidProperties } from './tiff-pyramid-source';

/** Where one channel's samples are: its plane's levels (largest first), and within a block. */
export interface ChannelPlane {
  /** Its channel in the OME-XML (0-based): where it is found at another (Z, T). */
  index: number;
  name: string;
  /** The OME-XML's colour for it, if any. */
  colour: [number, number, number] | null;
  levels: TiffDirectory[];
  /** Its sample plane, with PlanarConfiguration 2 (0 otherwise). */
  plane: number;
  /** Its sample within an interleaved pixel (PlanarConfiguration 1; 0 otherwise). */
  sample: number;
}

export interface ChannelsDescription {
  /** The channels at Z = T = 0. */
  channels: ChannelPlane[];
  stack: PlaneStack;
  significantBits: number;
  objectivePower: number | null;
  mpp: Mpp | null;
  /** The format's own properties (ome.*); tiff.*, openslide.* and the display's slidescope.* are added here. */
  properties: Record<string, string>;
  /** Channels left out at open, a sentence each. */
  warnings: string[];
}

/** A channel as it is shown: its colour and its display range in sample values, or hidden. */
export interface ChannelDisplay {
  colour: readonly [number, number, number];
  low: number;
  high: number;
  shown: boolean;
}

/**
 * The largest stored block composited: a tile's running sums take 12 bytes a pixel, its RGB 3 and a
 * channel's block 2 (~270 MB here, in each lane at once). Larger: a plane stored whole as one strip.
 */
const MAX_BLOCK_PIXELS = 2 ** 24;

const DECODED = new Set<number>([Compression.NONE, Compression.LZW, Compression.DEFLATE, Compression.ADOBE_DEFLATE]);

/** Whether the blocks of a plane are decompressed here (8-bit planes in other codecs are read as a grey TIFF). */
export function decodesPlane(dir: TiffDirectory): boolean {
  return DECODED.has(dir.compression);
}

/** QuPath's default channel colours (ImageServer.getExtendedDefaultChannelColor): one channel white. */
const DEFAULT_COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [255, 0, 0],
  [0, 255, 0],
  [0, 0, 255],
  [255, 255, 0],
  [0, 255, 255],
  [255, 0, 255],
];
const WHITE = [255, 255, 255] as const;

/**
 * The display ranges are taken from the smallest level's blocks at open: all of them when they hold
 * at most this many samples over all channels (~32 MB of 16-bit planes), else as many as that, spread
 * over the level (an image of one level, as tifffile.imwrite writes a stack, would otherwise be shown
 * over its type's full range: near black). At least one block a channel is read, up to RANGE_BLOCK_LIMIT
 * samples over all channels; beyond, each channel's full range.
 */
const MAX_RANGE_SAMPLES = 16 * 2 ** 20;
const RANGE_BLOCK_LIMIT = 8 * MAX_RANGE_SAMPLES;

/** Where the display ranges came from (the note's words). */
type RangesFrom = 'level' | 'blocks' | 'bits';
const RANGES_FROM: Record<RangesFrom, string> = {
  level: 'the 0.1st to 99.9th percentile of the smallest level',
  blocks: 'the 0.1st to 99.9th percentile of blocks spread over the smallest level',
  bits: 'its significant bits',
};
/** The share of samples left below and above the display range. */
const SATURATED = 0.001;

/**
 * Each channel's colour: the OME-XML's, unless every channel has the same one (bfconvert writes
 * white to all), which would show no channel apart; QuPath's default where it gives none.
 */
export function channelColours(given: ReadonlyArray<[number, number, number] | null>): Array<readonly [number, number, number]> {
  const alike = given.length > 1 && new Set(given.map((c) => (c ? rgbToHex(c) : 'none'))).size === 1;
  return given.map((c, i) => (c && !alike ? c : given.length === 1 ? WHITE : (DEFAULT_COLOURS[i] ?? WHITE)));
}

/** The low and high ends of a histogram's values, SATURATED of its samples beyond each. */
export function displayRange(histogram: Uint32Array, total: number, max: number): { low: number; high: number } {
  if (total === 0) return { low: 0, high: max };
  const below = Math.floor(total * SATURATED);
  let low = 0;
  for (let seen = 0; low < histogram.length - 1 && seen + histogram[low]! <= below; low++) seen += histogram[low]!;
  let high = histogram.length - 1;
  for (let seen = 0; high > 0 && seen + histogram[high]! <= below; high--) seen += histogram[high]!;
  // Within 0..max, which a choice must keep to, though samples go beyond the significant bits the
  // file gives (those are shown full); a flat channel still spans one value (nothing divides by zero).
  low = Math.min(low, max - 1);
  high = Math.min(high, max);
  return high > low ? { low, high } : { low, high: low + 1 };
}

/** Adds one channel's samples of a block, read at p * step + offset, in its colour over its range, to a block's running sums (RGB). */
export function addChannel(sums: Float32Array, data: Uint8Array | Uint16Array, step: number, offset: number, display: ChannelDisplay): void {
  const { colour, low, high } = display;
  const scale = 1 / (high - low);
  const [r, g, b] = colour;
  const end = Math.min(sums.length / 3, Math.floor((data.length - offset - 1) / step) + 1);
  for (let p = 0, at = offset; p < end; p++, at += step) {
    const t = (data[at]! - low) * scale;
    if (t <= 0) continue;
    const v = Math.min(1, t);
    const o = p * 3;
    sums[o] = sums[o]! + v * r;
    sums[o + 1] = sums[o + 1]! + v * g;
    sums[o + 2] = sums[o + 2]! + v * b;
  }
}

/** The sums as 8-bit RGB, clamped. */
export function sumsToRgb(sums: Float32Array): Uint8Array {
  const out = new Uint8Array(sums.length);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.round(sums[i]!));
  return out;
}

/** Refuses (UNSUPPORTED_*) a plane's level the block decoder here cannot read. */
async function checkDecodable(tiff: TiffFile, dir: TiffDirectory): Promise<void> {
  if (dir.bitsPerSample !== 16 && dir.bitsPerSample !== 8)
    throw new SlideError('UNSUPPORTED_FORMAT', `OME planes of ${dir.bitsPerSample}-bit samples are not supported.`, tiff.path);
  if (!DECODED.has(dir.compression))
    throw new SlideError('UNSUPPORTED_COMPRESSION', `${dir.bitsPerSample}-bit planes compressed with scheme ${dir.compression} cannot be decoded.`, tiff.path);
  // Signed samples read as unsigned would show the negative ones brightest.
  const format: unknown = dir.ifd.hasTag(339) ? await dir.ifd.loadValue(339) : 1;
  const sampleFormat = Number(typeof format === 'object' && format !== null && 'length' in format ? (format as ArrayLike<unknown>)[0] : format);
  if (sampleFormat !== 1)
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `OME planes of ${sampleFormat === 2 ? 'signed' : `SampleFormat ${sampleFormat}`} ${dir.bitsPerSample}-bit samples are not supported.`,
      tiff.path,
    );
  if (dir.blockWidth * dir.blockHeight > MAX_BLOCK_PIXELS)
    throw new SlideError(
      'UNSUPPORTED_FORMAT',
      `The channels are stored in blocks of ${dir.blockWidth} x ${dir.blockHeight} pixels, more than ${MAX_BLOCK_PIXELS / 2 ** 20} M pixels can be composited: save the image tiled (bfconvert -tilex 512 -tiley 512, or tifffile's tile=).`,
      tiff.path,
    );
  const predictor = Number((await dir.ifd.loadValue(317)) ?? 1);
  if (predictor !== 1 && predictor !== 2)
    throw new SlideError('UNSUPPORTED_COMPRESSION', `${dir.bitsPerSample}-bit planes with predictor ${predictor} cannot be decoded.`, tiff.path);
  if (predictor === 2) differenced.add(dir);
}

/** The planes' levels stored with Predictor 2 (horizontal differencing: tifffile's `predictor=True`). */
const differenced = new WeakSet<TiffDirectory>();

/** Predictor 2 undone on 16-bit samples, in place: each row's each sample plus the one `stride` before it. */
function undoPredictor16(samples: Uint16Array, rowSamples: number, stride: number): void {
  for (let row = 0; row + rowSamples <= samples.length; row += rowSamples)
    for (let i = row + stride; i < row + rowSamples; i++) samples[i] = (samples[i]! + samples[i - stride]!) & 0xffff;
}

export class OmeChannelSource extends DecodedTilesOnly implements SlideSource {
  readonly path: string;
  readonly format = 'ome-tiff';
  readonly vendor = 'ome-tiff';
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[] = [];
  readonly warnings: readonly string[];
  readonly channels: readonly ChannelInfo[];
  readonly plane: PlaneInfo;

  private constructor(
    private readonly tiff: TiffFile,
    private readonly planes: ChannelPlane[],
    private readonly displays: ChannelDisplay[],
    private readonly description: ChannelsDescription,
    private readonly max: number,
    private readonly rangesFrom: RangesFrom,
    at: PlaneChoice,
  ) {
    super();
    this.path = tiff.path;
    this.warnings = [...tiff.warnings, ...description.warnings];
    this.objectivePower = description.objectivePower;
    this.mpp = description.mpp;
    const base = planes[0]!.levels;
    this.levels = pyramidLevels(base);
    this.channels = planes.map((plane, c) => {
      const { colour, low, high, shown } = displays[c]!;
      return { name: plane.name || unnamedChannel(c), colour: rgbToHex(colour), low, high, max, shown };
    });
    const { sizeZ, sizeT } = description.stack;
    this.plane = { ...at, sizeZ, sizeT };
    const many = planes.length > 1;
    const display: Record<string, string> = {
      'slidescope.note': `This image's ${many ? `${planes.length} channels are` : 'channel is'} shown ${many ? 'composited, each in its colour' : 'in grey'}, from the low to the high end of its display range (slidescope.channel[i].*: ${RANGES_FROM[rangesFrom]}).`,
    };
    this.channels.forEach(({ name, colour, low, high, shown }, c) => {
      display[`slidescope.channel[${c}].name`] = name;
      display[`slidescope.channel[${c}].color`] = colour;
      display[`slidescope.channel[${c}].display-range`] = `${low}-${high}`;
      if (!shown) display[`slidescope.channel[${c}].hidden`] = 'true';
    });
    // Numbered from 1, as --plane and the app's sliders number them.
    if (sizeZ > 1 || sizeT > 1) display['slidescope.plane'] = `Z ${at.z + 1} of ${sizeZ}, T ${at.t + 1} of ${sizeT}`;
    this.properties = pyramidProperties(base[0]!, this.levels, { ...description, properties: { ...description.properties, ...display }, vendor: this.vendor });
  }

  /**
   * Refuses at open (UNSUPPORTED_*) what the block decoder here cannot read; reads the smallest
   * level's samples once for the display ranges.
   */
  static async create(tiff: TiffFile, description: ChannelsDescription): Promise<OmeChannelSource> {
    const { channels } = description;
    for (const dir of channels.flatMap((c) => c.levels)) await checkDecodable(tiff, dir);
    const cut = await levelsPastEnd(
      tiff,
      channels.flatMap((channel, c) => channel.levels.map((dir, level) => [`level ${level} of channel ${c + 1}`, dir] as const)),
    );
    if (cut) description = { ...description, warnings: [...description.warnings, cut] };
    const colours = channelColours(channels.map((c) => c.colour));
    const max = 2 ** Math.min(description.significantBits, channels[0]!.levels[0]!.bitsPerSample) - 1;
    const smallest = channels[0]!.levels.length - 1;
    const level = channels[0]!.levels[smallest]!;
    const full = channels.map((_, c) => ({ colour: colours[c]!, low: 0, high: max, shown: true }));
    const source = new OmeChannelSource(tiff, channels, full, description, max, 'bits', FIRST_PLANE);
    const blocks = level.blocksAcross * level.blocksDown;
    const perBlock = level.blockWidth * level.blockHeight * channels.length;
    if (perBlock > RANGE_BLOCK_LIMIT) return source;
    const read = Math.max(1, Math.min(blocks, Math.floor(MAX_RANGE_SAMPLES / perBlock)));
    const ranges = await source.levelRanges(smallest, max, read);
    return new OmeChannelSource(
      tiff,
      channels,
      full.map((display, c) => ({ ...display, ...ranges[c]! })),
      description,
      max,
      read === blocks ? 'level' : 'blocks',
      FIRST_PLANE,
    );
  }

  /**
   * The same file showing plane (z, t) (0-based, within the sizes: the engine checks), its channels
   * displayed as now: display ranges stay as they are (the defaults are plane (0, 0)'s).
   */
  async withPlane({ z, t }: PlaneChoice): Promise<OmeChannelSource> {
    if (z === this.plane.z && t === this.plane.t) return this;
    const first = this.description.channels;
    // Channels interleaved in one plane's samples are all found where channel 0's plane is.
    const interleaved = first[0]!.levels[0]!.samplesPerPixel > 1;
    const found = new Map<number, TiffDirectory[]>();
    const levelsOf = async (c: number): Promise<TiffDirectory[]> => {
      const known = found.get(c) ?? (await this.description.stack.levelsAt(c, z, t));
      found.set(c, known);
      return known;
    };
    const planes: ChannelPlane[] = [];
    for (const channel of first) planes.push(z === 0 && t === 0 ? channel : { ...channel, levels: await levelsOf(interleaved ? 0 : channel.index) });
    for (const dir of new Set(planes.flatMap((c) => c.levels))) await checkDecodable(this.tiff, dir);
    return new OmeChannelSource(this.tiff, planes, this.displays, this.description, this.max, this.rangesFrom, { z, t });
  }

  withChannels(choices: readonly ChannelChoice[]): OmeChannelSource {
    const chosen = new Map<number, ChannelChoice>();
    for (const choice of choices) {
      const c = this.channelIndex(choice.channel);
      if (chosen.has(c)) throw new SlideError('INVALID_ARGUMENT', `Channel ${this.channels[c]!.name} is chosen twice.`, this.path);
      chosen.set(c, choice);
    }
    const displays = this.displays.map((display, c): ChannelDisplay => {
      const choice = chosen.get(c);
      if (!choice) return { ...display, shown: false };
      const low = choice.low ?? display.low;
      const high = choice.high ?? display.high;
      if (!(low < high && high <= this.max))
        throw new SlideError(
          'INVALID_ARGUMENT',
          `Channel ${this.channels[c]!.name}'s range ${low}-${high} is not one of 0 to ${this.max}, low below high.`,
          this.path,
        );
      const colour = choice.colour === undefined ? display.colour : hexToRgb(choice.colour);
      if (!colour) throw new SlideError('INVALID_ARGUMENT', `"${choice.colour}" is not a colour as #rrggbb.`, this.path);
      return { colour, low, high, shown: true };
    });
    return new OmeChannelSource(this.tiff, this.planes, displays, this.description, this.max, this.rangesFrom, this.plane);
  }

  /**
   * A channel named by its position (0-based), its name (case aside), or a text of its number from 1
   * where no channel has that name; INVALID_ARGUMENT listing the slide's channels otherwise.
   */
  private channelIndex(channel: number | string): number {
    let index = channel;
    if (typeof channel === 'string') {
      const text = channel.trim();
      index = this.channels.findIndex((c) => c.name.toLowerCase() === text.toLowerCase());
      if (index < 0 && /^\d{1,4}$/.test(text)) index = Number(text) - 1;
    }
    if (typeof index === 'number' && Number.isInteger(index) && index >= 0 && index < this.channels.length) return index;
    // Names quoted as --channels takes them: a list of names with commas in them reads clearly.
    const list = this.channels.map((c, i) => `${i + 1} ${/[,:]/.test(c.name) ? `"${c.name}"` : c.name}`).join(', ');
    const what = typeof channel === 'string' ? `no channel named or numbered "${channel.slice(0, 80)}"` : `no channel ${channel + 1}`;
    throw new SlideError('INVALID_ARGUMENT', `The slide has ${what} (its channels: ${list}).`, this.path);
  }

  /**
   * Each channel's display range from every sample of `count` of one level's blocks, evenly spread
   * over it (all of them when that is their number; their padding left out).
   */
  private async levelRanges(level: number, max: number, count: number): Promise<Array<{ low: number; high: number }>> {
    const histograms = this.planes.map((plane) => new Uint32Array(plane.levels[level]!.bitsPerSample === 16 ? 65536 : 256));
    const totals = this.planes.map(() => 0);
    const base = this.planes[0]!.levels[level]!;
    const all = base.blocksAcross * base.blocksDown;
    for (let k = 0; k < count; k++) {
      const index = Math.floor(((k + 0.5) * all) / count);
      const row = Math.floor(index / base.blocksAcross);
      const col = index % base.blocksAcross;
      const blocks = this.blockReader(level, col, row);
      for (const [c, plane] of this.planes.entries()) {
        const dir = plane.levels[level]!;
        const block = await blocks(c);
        if (!block) continue;
        const { width, height } = this.blockSize(dir, row);
        const step = this.stepOf(dir);
        const across = Math.min(width, dir.width - col * dir.blockWidth);
        const down = Math.min(height, dir.height - row * dir.blockHeight);
        const histogram = histograms[c]!;
        for (let y = 0; y < down; y++) {
          for (let x = 0, at = y * width * step + plane.sample; x < across && at < block.length; x++, at += step) histogram[block[at]!]!++;
        }
        totals[c]! += across * down;
      }
    }
    return histograms.map((histogram, c) => displayRange(histogram, totals[c]!, max));
  }

  /**
   * Channel c's block at (col, row) of a level, one channel after another: a block the channels share
   * (their samples interleaved in one plane) is decompressed once, and only the last one is held.
   */
  private blockReader(level: number, col: number, row: number): (c: number) => Promise<Uint8Array | Uint16Array | null> {
    let held: { key: string; block: Promise<Uint8Array | Uint16Array | null> } | null = null;
    return (c) => {
      const plane = this.planes[c]!;
      const dir = plane.levels[level]!;
      const key = `${dir.index}/${plane.plane}`;
      if (held?.key !== key) held = { key, block: this.channelBlock(plane, dir, col, row) };
      return held.block;
    };
  }

  private levelDirs(level: number): TiffDirectory[] {
    const dirs = Number.isInteger(level) ? this.planes.map((c) => c.levels[level]) : [];
    if (dirs.length === 0 || dirs.some((d) => d === undefined)) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    return dirs as TiffDirectory[];
  }

  private blockSize(dir: TiffDirectory, row: number): { width: number; height: number } {
    return { width: dir.blockWidth, height: dir.tiled ? dir.blockHeight : Math.min(dir.blockHeight, dir.height - row * dir.blockHeight) };
  }

  private stepOf(dir: TiffDirectory): number {
    return dir.planarConfiguration === 2 ? 1 : dir.samplesPerPixel;
  }

  /** A channel's block decompressed, as samples (16-bit in the file's byte order); null when the file stores none. */
  private async channelBlock(channel: ChannelPlane, dir: TiffDirectory, col: number, row: number): Promise<Uint8Array | Uint16Array | null> {
    const stored = await this.tiff.readBlock(dir, col, row, channel.plane);
    if (!stored) return null;
    const { width, height } = this.blockSize(dir, row);
    const length = width * height * this.stepOf(dir) * (dir.bitsPerSample / 8);
    const predicted = differenced.has(dir);
    let bytes: Uint8Array;
    if (dir.compression === Compression.NONE) {
      // Undone in place: not in the bytes read, which a cache may hold.
      bytes = predicted ? stored.slice() : stored;
    } else if (dir.compression === Compression.LZW) {
      bytes = new Uint8Array(length);
      lzwDecodeInto(stored, bytes);
    } else {
      try {
        bytes = inflateBounded(stored, length);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new SlideError('CORRUPT_DATA', `${blockName(dir, col, row)} is damaged: ${reason}.`, this.path);
      }
    }
    const step = this.stepOf(dir);
    if (dir.bitsPerSample === 8) {
      if (predicted) undoPredictor8(bytes, width * step, step);
      return bytes;
    }
    // A short block (truncated data) ends early: the composite leaves the rest black.
    const count = Math.floor(bytes.byteLength / 2);
    let samples: Uint16Array;
    if (this.tiff.littleEndian === isLittleEndianHost && bytes.byteOffset % 2 === 0) samples = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    else {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      samples = new Uint16Array(count);
      for (let i = 0; i < count; i++) samples[i] = view.getUint16(i * 2, this.tiff.littleEndian);
    }
    if (predicted) undoPredictor16(samples, width * step, step);
    return samples;
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage> {
    const dirs = this.levelDirs(level);
    const base = dirs[0]!;
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= base.blocksAcross || row >= base.blocksDown) {
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    }
    // One channel at a time: a tile of many channels holds one decompressed block, not all of them.
    // Hidden channels are not read; a block the file lacks adds no light (black, as the dark field is).
    const { width, height } = this.blockSize(base, row);
    const sums = new Float32Array(width * height * 3);
    const blocks = this.blockReader(level, col, row);
    for (const [c, plane] of this.planes.entries()) {
      if (!this.displays[c]!.shown) continue;
      const block = await blocks(c);
      if (block) addChannel(sums, block, this.stepOf(dirs[c]!), plane.sample, this.displays[c]!);
    }
    const data = sumsToRgb(sums);
    return { data, width, height, channels: 3 };
  }

  async readAssociated(name: string): Promise<RgbImage> {
    throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
  }

  async close(): Promise<void> {
    await this.tiff.close();
  }
}

const FIRST_PLANE: PlaneChoice = { z: 0, t: 0 };

const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
