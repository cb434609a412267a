// A brightfield OME-TIFF whose red, green and blue are channels stored a plane each (an 8-bit grey
// IFD per colour: ome-metadata's isColourPlanes), shown as one colour slide. Each colour's plane is
// read as any TIFF pyramid's (any codec it reads, at any focal plane or timepoint); a tile is the
// three planes' tiles put together. None is served as a stored JPEG: a grey JPEG is one colour.

import type { LevelInfo, Mpp, PlaneChoice, PlaneInfo, RgbImage } from '../../../shared/slide';
import { SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import { DecodedTilesOnly } from './decoded-tiles-only';
import type { TiffPyramidSource } from './tiff-pyramid-source';

const COLOUR_NAMES = ['red', 'green', 'blue'] as const;

export type ColourPlanes = readonly [red: TiffPyramidSource, green: TiffPyramidSource, blue: TiffPyramidSource];

export class ColourPlanesSource extends DecodedTilesOnly implements SlideSource {
  readonly path: string;
  readonly format: string;
  readonly vendor: string;
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  readonly plane?: PlaneInfo;
  readonly withPlane?: (plane: PlaneChoice) => Promise<ColourPlanesSource>;

  /** The red plane's source holds the slide's associated images and says its properties; all three share one file. */
  constructor(
    private readonly colours: ColourPlanes,
    note: string,
  ) {
    super();
    const [red] = colours;
    this.path = red.path;
    this.format = red.format;
    this.vendor = red.vendor;
    this.levels = red.levels;
    this.objectivePower = red.objectivePower;
    this.mpp = red.mpp;
    this.associatedNames = red.associatedNames;
    this.properties = { ...red.properties, 'slidescope.note': note };
    // Each says the file's own warnings: once each here.
    this.warnings = [...new Set(colours.flatMap((c) => c.warnings))];
    if (red.plane) {
      this.plane = red.plane;
      this.withPlane = async (plane) => {
        const [r, g, b] = await Promise.all(colours.map((c) => c.withPlane!(plane)));
        return new ColourPlanesSource([r!, g!, b!], note);
      };
    }
  }

  async readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    const tiles = await Promise.all(this.colours.map((c) => c.readTile(level, col, row)));
    const first = tiles.find((tile) => tile !== null);
    if (!first) return null;
    const { width, height } = first;
    const data = new Uint8Array(width * height * 3);
    for (const [c, tile] of tiles.entries()) {
      // The planes are laid out alike (checked at open): one that lacks a tile the others have is damage.
      if (!tile || tile.width !== width || tile.height !== height)
        throw new SlideError(
          'CORRUPT_DATA',
          `Tile ${col},${row} of level ${level} has ${tile ? 'another size' : 'no data'} in its ${COLOUR_NAMES[c]} plane.`,
          this.path,
        );
      // Each plane is grey: its red sample is its value.
      for (let p = 0, at = 0; at < data.length; p += tile.channels, at += 3) data[at + c] = tile.data[p]!;
    }
    return { data, width, height, channels: 3 };
  }

  readAssociated(name: string): Promise<RgbImage> {
    return this.colours[0].readAssociated(name);
  }

  iccProfile(): Promise<Uint8Array | null> {
    return this.colours[0].iccProfile();
  }

  /** The planes' sources share the file: closing one closes it. */
  close(): Promise<void> {
    return this.colours[0].close();
  }
}
