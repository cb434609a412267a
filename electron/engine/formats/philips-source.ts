// A Philips TIFF as a SlideSource: the TIFF pyramid's tiles, under the level sizes and downsamples
// the XML's pixel spacings give (the TIFF pads every level to whole tiles), with the label and macro
// images the XML carries as JPEGs.

import type { LevelInfo, Mpp, RgbImage } from '../../../shared/slide';
import type { SlideSource } from '../slide-source';
import { decodeEmbeddedJpeg, type EmbeddedJpeg } from './embedded-jpeg';
import type { TiffPyramidSource } from './tiff-pyramid-source';

export interface PhilipsDescription {
  /** The levels' TIFF directories and the label and macro directories, if any. */
  pyramid: TiffPyramidSource;
  /** Level sizes and downsamples as OpenSlide corrects them; tile sizes the TIFF's. */
  levels: LevelInfo[];
  /** Associated images carried in the XML (those stored as TIFF directories take precedence). */
  xmlImages: ReadonlyMap<string, EmbeddedJpeg>;
  /** Why an image the XML carries was left out (damaged), for SlideSource.warnings. */
  xmlImagesLeftOut: readonly string[];
  mpp: Mpp | null;
  properties: Record<string, string>;
  /** The XML's DICOM_ICCPROFILE, decoded; used when the TIFF has no InterColorProfile tag. */
  xmlIccProfile: Uint8Array | null;
}

export class PhilipsSource implements SlideSource {
  readonly path: string;
  readonly format = 'philips';
  readonly vendor = 'philips';
  readonly levels: readonly LevelInfo[];
  readonly objectivePower = null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  readonly warnings: readonly string[];
  private readonly pyramid: TiffPyramidSource;
  private readonly xmlImages: ReadonlyMap<string, EmbeddedJpeg>;
  private readonly xmlIccProfile: Uint8Array | null;

  constructor(description: PhilipsDescription) {
    this.pyramid = description.pyramid;
    this.path = this.pyramid.path;
    this.levels = description.levels;
    this.mpp = description.mpp;
    this.properties = description.properties;
    this.xmlImages = description.xmlImages;
    this.xmlIccProfile = description.xmlIccProfile;
    this.associatedNames = [...new Set([...this.pyramid.associatedNames, ...description.xmlImages.keys()])];
    this.warnings = [...this.pyramid.warnings, ...description.xmlImagesLeftOut];
  }

  /** Whether the TIFF stores a tile there: a level the XML makes larger than its TIFF has none past its grid. */
  private stored(level: number, col: number, row: number): boolean {
    const tiff = this.pyramid.levels[level];
    return tiff === undefined || (col * tiff.tileWidth < tiff.width && row * tiff.tileHeight < tiff.height);
  }

  readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    return this.stored(level, col, row) ? this.pyramid.readTile(level, col, row) : Promise.resolve(null);
  }

  readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    return this.stored(level, col, row) ? this.pyramid.readStoredJpeg(level, col, row) : Promise.resolve(null);
  }

  storesJpeg(level: number): boolean {
    return this.pyramid.storesJpeg(level);
  }

  readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null> {
    return this.stored(level, col, row) ? this.pyramid.readTileReduced(level, col, row, halvings) : Promise.resolve(null);
  }

  decodesReduced(level: number): boolean {
    return this.pyramid.decodesReduced(level);
  }

  readAssociated(name: string): Promise<RgbImage> {
    if (this.pyramid.associatedNames.includes(name)) return this.pyramid.readAssociated(name);
    const jpeg = this.xmlImages.get(name);
    return jpeg ? decodeEmbeddedJpeg(jpeg, name, this.path) : this.pyramid.readAssociated(name);
  }

  async iccProfile(): Promise<Uint8Array | null> {
    return (await this.pyramid.iccProfile()) ?? this.xmlIccProfile;
  }

  close(): Promise<void> {
    return this.pyramid.close();
  }
}
