// Domain types of an opened slide, shared by the engine, the main process, the renderer and the CLI.

export interface LevelInfo {
  width: number;
  height: number;
  /** Level-0 pixels per pixel of this level (width-based, as OpenSlide reports it). */
  downsample: number;
  tileWidth: number;
  tileHeight: number;
}

export interface Mpp {
  x: number;
  y: number;
}

export interface DeepZoomLevel {
  width: number;
  height: number;
  cols: number;
  rows: number;
}

/** Deep-zoom pyramid as OpenSeadragon sees it: level 0 is 1x1, the last level is slide level 0. */
export interface DeepZoomGeometry {
  tileSize: number;
  overlap: number;
  levels: DeepZoomLevel[];
}

export interface SlideInfo {
  /** Absolute path of the file. */
  path: string;
  /** File name shown to the user. */
  name: string;
  /** Which format plugin opened it. */
  format: string;
  /** Scanner vendor as OpenSlide names it ('aperio', 'generic-tiff'). */
  vendor: string;
  width: number;
  height: number;
  levels: LevelInfo[];
  objectivePower: number | null;
  mpp: Mpp | null;
  /** Names of associated images: 'thumbnail', 'label', 'macro'. */
  associated: string[];
  /** Raw properties, named like OpenSlide's ('aperio.AppMag', 'tiff.ImageDescription', ...). */
  properties: Record<string, string>;
  deepZoom: DeepZoomGeometry;
  /** The ICC profile the slide embeds, or null when it carries none. */
  iccProfile: IccProfileInfo | null;
  /**
   * The engine's sentences on damage it passed over to open the slide (the file cut short, an image
   * unreadable), each naming what may be missing; empty for a whole slide. Shown wherever the slide is.
   */
  warnings: string[];
  /** Fluorescence channels composited into the slide's pixels (OME-TIFF), in order; absent for RGB slides. */
  channels?: ChannelInfo[];
  /** The image's focal planes and timepoints and the one shown; present where `channels` is, and for a brightfield z-stack or time series. */
  plane?: PlaneInfo;
}

/**
 * A plane of a z-stack or time series: its focal plane (Z-slice) and timepoint, each from 0 as OME
 * numbers them (the CLI and the app number them from 1, as they do channels).
 */
export interface PlaneChoice {
  z: number;
  t: number;
}

/** How a slide is asked to open: its fluorescence channels as chosen (absent: as it first shows them) at a plane (absent: Z = T = 0). */
export interface SlideShown {
  channels?: ChannelChoice[];
  plane?: PlaneChoice;
}

/** The plane shown, and how many the image has along Z and T (1 where it has one). */
export interface PlaneInfo extends PlaneChoice {
  sizeZ: number;
  sizeT: number;
}

/** A fluorescence channel as the slide shows it: in `colour`, from black at `low` to full colour at `high` (sample values). */
export interface ChannelInfo {
  /** As the file names it; unnamedChannel(its index) where it names none. */
  name: string;
  /** '#rrggbb'. */
  colour: string;
  low: number;
  high: number;
  /** The largest value a sample may have (2^significant bits - 1). */
  max: number;
  shown: boolean;
}

/**
 * A channel asked for when a slide opens: by its position (0-based), its name, or a text of its
 * number from 1 where no channel has that name; shown in `colour` over `low`-`high` where given (else
 * as the slide would show it). Channels not asked for are hidden.
 */
export interface ChannelChoice {
  channel: number | string;
  colour?: string;
  low?: number;
  high?: number;
}

/** What the metadata panel and `slidescope info` say of a slide's embedded ICC profile. */
export interface IccProfileInfo {
  /** Its 'desc' text ('' when it has none). */
  description: string;
  /** Its size in bytes. */
  bytes: number;
  /** Why the profile is not applied (damaged, not an RGB profile); absent when it is. */
  unusable?: string;
}

export type TileMime = 'image/jpeg' | 'image/png' | 'image/webp';

export interface EncodedTile {
  bytes: Uint8Array;
  mime: TileMime;
  /**
   * Present when the encoded image is larger than the tile (an edge tile served as stored, padding
   * included): show only its top-left width x height pixels. Saves re-encoding stored tiles.
   */
  crop?: { width: number; height: number };
}

/**
 * Where a stored level's JPEG tiles lie in their file, for a reader that serves them as they are
 * without the slide's reader: the engine process's main thread (docs/architecture.md).
 */
export interface StoredJpegLevel {
  /**
   * The files its tiles lie in (one, but a DICOM level split in parts), each as the slide's reader
   * opened it (identity: device, inode, size, modification time): a file changed since is not read this way.
   */
  files: Array<{ path: string; identity: string }>;
  /** Each tile's file, an index into files (past its end where no file holds the tile), row by row; null where there is one file. */
  tileFiles: Uint16Array | null;
  cols: number;
  rows: number;
  tileWidth: number;
  tileHeight: number;
  /** The level's size in pixels: edge tiles are padded beyond it. */
  width: number;
  height: number;
  /** Each tile's offset and byte count in the file, row by row; 0 where the file holds no tile. */
  offsets: Float64Array;
  counts: Float64Array;
  /** More bytes than this for one tile is damage, which the slide's reader explains. */
  maxCount: number;
  framing: StoredJpegFraming;
}

/** How a stored tile's bytes become the JPEG the viewer gets, as the slide's reader makes it. */
export type StoredJpegFraming =
  /**
   * A TIFF tile: the JPEGTables spliced in (abbreviated streams; null without), and for RGB
   * photometric an Adobe marker that says so to the browser's decoder.
   */
  | { container: 'tiff'; jpegTables: Uint8Array | null; rgb: boolean }
  /**
   * A DICOM frame: its fragment items (their headers included in the tile's bytes) joined, the colour
   * space its header says made plain by markers (null: one component).
   */
  | { container: 'dicom'; colour: JpegColourSpace | null };

/** What a 3-component JPEG's samples are: untransformed RGB, or YCbCr. */
export type JpegColourSpace = 'rgb' | 'ycbcr';

/** A deep-zoom level served as a stored level: where its tiles lie, and the slide's ICC profile as APP2 markers (null without one). */
export interface StoredJpegTiles extends StoredJpegLevel {
  iccMarkers: Uint8Array | null;
}

/** Decoded pixels: interleaved 8-bit samples, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3 | 4;
}

export interface EncodedImage {
  bytes: Uint8Array;
  mime: TileMime;
  width: number;
  height: number;
}

/** The name the engine gives a channel the file names none (the app shows it in its language). */
export function unnamedChannel(index: number): string {
  return `Channel ${index + 1}`;
}
