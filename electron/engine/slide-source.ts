// The one interface every format plugin implements. The tile service, regions, thumbnails and
// export use only this (as QuPath's ImageServer is the only thing its viewers know of a file).

import type { ChannelChoice, ChannelInfo, LevelInfo, Mpp, PlaneChoice, PlaneInfo, RgbImage, StoredJpegLevel } from '../../shared/slide';
import type { Canvas } from './formats/tile-compositor';

/** Associated images are pictures of the glass: anything larger is not one. */
export const MAX_ASSOCIATED_PIXELS = 64 * 1024 * 1024;

/** A rectangle of a level's plane, in that level's pixels. */
export interface LevelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SlideSource {
  readonly path: string;
  /** The plugin that opened the file ('aperio', 'generic-tiff'). */
  readonly format: string;
  /** Vendor as OpenSlide names it. */
  readonly vendor: string;
  /** Level 0 first; downsample relative to level 0. */
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  /**
   * What the user must be told when the slide opens: damage passed over to open what can be read (the
   * file cut short, an associated image or a file of the slide unreadable), each a sentence naming
   * what may be missing. Empty for a whole slide. Found while opening, never by extra reads.
   */
  readonly warnings: readonly string[];

  /**
   * One stored tile of a slide level, decoded to RGB at its full stored size (edge tiles keep their
   * padding). Null when the file stores no tile there (sparse slides): it is blank.
   */
  readTile(level: number, col: number, row: number): Promise<RgbImage | null>;
  /**
   * The same tile as a standalone JPEG a browser can show without our decoding it, when the codec
   * allows (JPEG tiles); null otherwise.
   */
  readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null>;
  /** Whether a level's tiles are JPEG that readStoredJpeg gives as they are stored. */
  storesJpeg(level: number): boolean;
  /**
   * Where a level's stored JPEG tiles lie in the file, when each is one range that readStoredJpeg
   * would give with only the tables spliced in; null (or absent) otherwise. The engine process's
   * main thread then reads them itself.
   */
  storedJpegTiles?(level: number): Promise<StoredJpegLevel | null>;
  /**
   * The tile at 1/2^halvings of its stored size, when the codec makes that cheap (JPEG 2000 decodes
   * that many resolution levels less); null otherwise. RGB, padding included (reduced with it).
   */
  readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null>;
  /** Whether a level's codec decodes at reduced sizes itself (readTileReduced gives tiles). */
  decodesReduced(level: number): boolean;
  readAssociated(name: string): Promise<RgbImage>;
  /**
   * Where a level's plane holds pixels, when only images placed on it do (Leica's main images on
   * its collection), in drawing order. Regions are transparent elsewhere, and OpenSlide places a
   * region's origin against the first of them (truncating toward it, not flooring). Absent: the
   * whole plane holds pixels.
   */
  imageRects?(level: number): readonly LevelRect[];
  /**
   * Whether a level is stitched (images overlapping, or placed off a grid: MIRAX, Ventana BIF,
   * Trestle) and paintRegion paints its regions. Absent: no level is. A region between the pixels of
   * any other level is resampled from its tiles.
   */
  paintsRegion?(level: number): boolean;
  /**
   * Paints the region of a stitched level whose top-left corner is (x, y) of the level's plane,
   * between its pixels too, onto `canvas` with that corner at (atX, atY), as OpenSlide 3.4.1's grid
   * paints a region: each image resampled once, where it lands, under SATURATE.
   */
  paintRegion?(level: number, x: number, y: number, canvas: Canvas, atX: number, atY: number, signal?: AbortSignal): Promise<void>;
  /**
   * The stored level a level is decoded from at 1/2, 1/4 or 1/8 scale (the NDPI levels OpenSlide
   * adds), where it is one. Reads that need not be OpenSlide's pixels (deep-zoom tiles) take the
   * stored level at half size instead: libjpeg-turbo's fast path, several times quicker.
   */
  decodedFrom?(level: number): number | null;
  /**
   * The ICC profile the slide's pixels are in, as stored (TIFF tag 34675 InterColorProfile, Philips'
   * DICOM_ICCPROFILE, DICOM's ICC Profile (0028,2000)); null when it embeds none. Absent: the
   * format carries none. The engine validates it (a damaged one is reported, not applied).
   */
  iccProfile?(): Promise<Uint8Array | null>;
  /** The fluorescence channels composited into its pixels, as shown now. Absent: an RGB slide. */
  readonly channels?: readonly ChannelInfo[];
  /**
   * The same file with its channels shown as chosen (INVALID_ARGUMENT naming a channel it lacks);
   * it takes over this source (closing either closes the file). Present where `channels` is.
   */
  withChannels?(choices: readonly ChannelChoice[]): SlideSource;
  /**
   * The focal plane and timepoint shown, and their counts. Present where `channels` is, and for a
   * brightfield z-stack or time series (OME-TIFF).
   */
  readonly plane?: PlaneInfo;
  /**
   * The same file showing another plane (within plane's sizes: the engine checks), its channels
   * displayed as now; it takes over this source as withChannels does. Present where `plane` is.
   */
  withPlane?(plane: PlaneChoice): Promise<SlideSource>;
  close(): Promise<void>;
}
