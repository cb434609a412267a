// A DICOM whole-slide image (one series) as a SlideSource: its pyramid levels, largest first, and
// its label, macro (OVERVIEW) and thumbnail. JPEG frames go to the viewer as they are stored when a
// deep-zoom tile is one frame; the ICC profile of the first optical path stays readable for colour
// management.

import type { LevelInfo, Mpp, RgbImage, StoredJpegLevel } from '../../../../shared/slide';
import { warmCodecPool } from '../../codecs/codec-pool';
import { SlideError } from '../../errors';
import type { SlideSource } from '../../slide-source';
import { openSlideProperties } from '../openslide-properties';
import { tagKey } from './dicom-dictionary';
import { inFirstItems, Tag } from './dicom-instance';
import type { DicomImage } from './dicom-level';
import { dicomMpp, dicomObjectivePower, dicomProperties } from './dicom-properties';

/** An associated image larger than this is not offered (it is decoded whole). */
const MAX_ASSOCIATED_PIXELS = 64 * 1024 * 1024;

export class DicomSource implements SlideSource {
  readonly format = 'dicom';
  readonly vendor = 'dicom';
  readonly levels: readonly LevelInfo[];
  readonly objectivePower: number | null;
  readonly mpp: Mpp | null;
  readonly properties: Readonly<Record<string, string>>;
  readonly associatedNames: readonly string[];
  private readonly icc: Uint8Array | null;

  constructor(
    /** What was opened: a file of the slide, or its folder. */
    readonly path: string,
    private readonly images: readonly DicomImage[],
    private readonly associated: ReadonlyMap<string, DicomImage>,
    /** Damage passed over at open: the folder's unreadable files, an associated image left out. */
    readonly warnings: readonly string[],
  ) {
    const base = images[0]!;
    this.levels = images.map((image) => ({
      width: image.width,
      height: image.height,
      downsample: (base.width / image.width + base.height / image.height) / 2,
      tileWidth: image.tileWidth,
      tileHeight: image.tileHeight,
    }));
    this.associatedNames = [...associated].filter(([, image]) => image.width * image.height <= MAX_ASSOCIATED_PIXELS).map(([name]) => name);
    const { dataSet } = base.first;
    const dicom = dicomProperties(dataSet);
    this.mpp = dicomMpp(dicom);
    this.objectivePower = dicomObjectivePower(dicom);
    this.icc =
      inFirstItems(dataSet, [Tag.OpticalPathSequence], (item) => {
        const element = item.elements[tagKey(Tag.ICCProfile)];
        // Its own copy, whatever becomes of the header it was read with.
        return element && element.length > 0 ? new Uint8Array(item.byteArray.subarray(element.dataOffset, element.dataOffset + element.length)) : undefined;
      }) ?? null;
    const properties: Record<string, string> = { ...dicom };
    if (this.icc) properties['openslide.icc-size'] = String(this.icc.length);
    this.properties = Object.assign(
      properties,
      openSlideProperties({ vendor: 'dicom', comment: undefined, levels: this.levels, mpp: this.mpp, objectivePower: this.objectivePower }),
    );
    if (images.some((image) => image.format.codec === 'jpeg2000')) void warmCodecPool();
  }

  private image(level: number, col: number, row: number): DicomImage {
    const image = this.images[level];
    if (!image) throw new SlideError('INVALID_ARGUMENT', `The slide has no level ${level}.`, this.path);
    if (!Number.isInteger(col) || !Number.isInteger(row) || col < 0 || row < 0 || col >= image.tilesAcross || row >= image.tilesDown)
      throw new SlideError('INVALID_ARGUMENT', `Tile ${col},${row} is outside the level.`, this.path);
    return image;
  }

  readTile(level: number, col: number, row: number): Promise<RgbImage | null> {
    return this.image(level, col, row).readTile(col, row);
  }

  storesJpeg(level: number): boolean {
    return this.images[level]?.storesJpeg() ?? false;
  }

  readStoredJpeg(level: number, col: number, row: number): Promise<Uint8Array | null> {
    return this.image(level, col, row).readStoredJpeg(col, row);
  }

  storedJpegTiles(level: number): Promise<StoredJpegLevel | null> {
    return this.images[level]?.storedJpegTiles() ?? Promise.resolve(null);
  }

  decodesReduced(level: number): boolean {
    return this.images[level]?.decodesReduced() ?? false;
  }

  readTileReduced(level: number, col: number, row: number, halvings: number): Promise<RgbImage | null> {
    return this.image(level, col, row).readTileReduced(col, row, halvings);
  }

  async readAssociated(name: string): Promise<RgbImage> {
    const image = this.associated.get(name);
    if (!image || !this.associatedNames.includes(name))
      throw new SlideError('INVALID_ARGUMENT', `The slide has no associated image named "${name}".`, this.path);
    return image.readWhole();
  }

  /** The ICC profile of the slide's first optical path, as embedded (openslide.icc-size says its size). */
  async iccProfile(): Promise<Uint8Array | null> {
    return this.icc ? new Uint8Array(this.icc) : null;
  }

  async close(): Promise<void> {
    await Promise.all([...this.images, ...this.associated.values()].map((image) => image.close()));
  }
}
