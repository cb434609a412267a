// One open slide's colour: the ICC profile it embeds (read once, at open), handed to the browser
// inside every tile (the markers made once and spliced in: no tile is decoded for it), and applied
// with the view's brightness, contrast and gamma to the pixels of an export. A profile that cannot
// be used leaves the slide as it was, and says why.

import { adjustmentTable, type ExportColour, isNeutral } from '../../../shared/colour';
import type { EncodedTile, IccProfileInfo, RgbImage } from '../../../shared/slide';
import { iccChunk, withChunk } from '../png-chunks';
import type { SlideSource } from '../slide-source';
import { iccMarkers, withIccMarkers } from './icc-jpeg';
import { readIccProfile, rgbProfileProblem } from './icc-profile';
import { convertToSrgb } from './srgb-transform';

interface Embedded {
  profile: Uint8Array;
  jpegMarkers: Uint8Array;
  pngChunk: Uint8Array;
}

export class SlideColour {
  private constructor(
    /** What the slide's metadata says of its profile; null when it has none. */
    readonly info: IccProfileInfo | null,
    private readonly embedded: Embedded | null,
  ) {}

  private static unusable(description: string, bytes: number, reason: string): SlideColour {
    return new SlideColour({ description, bytes, unusable: reason }, null);
  }

  static async of(source: SlideSource): Promise<SlideColour> {
    let bytes: Uint8Array | null;
    try {
      bytes = (await source.iccProfile?.()) ?? null;
    } catch (error) {
      // The slide itself is readable: only its colours stay as stored.
      return SlideColour.unusable('', 0, `it cannot be read (${error instanceof Error ? error.message : String(error)})`);
    }
    if (!bytes || bytes.length === 0) return new SlideColour(null, null);
    const header = readIccProfile(bytes);
    if ('problem' in header) return SlideColour.unusable('', bytes.length, `it is damaged: ${header.problem}`);
    const profile = bytes.subarray(0, header.size);
    const problem = rgbProfileProblem(header) ?? (await libvipsProblem(profile));
    if (problem) return SlideColour.unusable(header.description, profile.length, problem);
    const jpegMarkers = iccMarkers(profile);
    if (!jpegMarkers) return SlideColour.unusable(header.description, profile.length, 'it is too large to send with each tile');
    return new SlideColour({ description: header.description, bytes: profile.length }, { profile, jpegMarkers, pngChunk: iccChunk(profile) });
  }

  /** The profile as the APP2 markers withProfile splices into JPEG tiles; null when there is none to use. */
  get jpegMarkers(): Uint8Array | null {
    return this.embedded?.jpegMarkers ?? null;
  }

  /** The tile with the profile inside, for the browser to colour-manage; as it is when there is none to use. */
  withProfile(tile: EncodedTile): EncodedTile {
    if (!this.embedded) return tile;
    const bytes = tile.mime === 'image/jpeg' ? withIccMarkers(tile.bytes, this.embedded.jpegMarkers) : withChunk(tile.bytes, this.embedded.pngChunk);
    return { ...tile, bytes };
  }

  /**
   * Pixels read for an export, as the user chose to see them: converted to sRGB with the slide's
   * profile (unless `colour.managed` is false), then the view's adjustment. A new image when
   * anything changes (the input may be a cached one), else the input itself.
   */
  async forExport(image: RgbImage, colour: ExportColour | undefined): Promise<RgbImage> {
    const convert = this.embedded !== null && (colour?.managed ?? true);
    const adjustment = colour?.adjustment && !isNeutral(colour.adjustment) ? colour.adjustment : null;
    if (!convert && !adjustment) return image;
    const out: RgbImage = { ...image, data: image.data.slice() };
    if (convert) await convertToSrgb(out, this.embedded!.profile);
    if (adjustment) applyTable(out, adjustmentTable(adjustment));
    return out;
  }
}

/** Whether lcms (through libvips) takes the profile: one pixel converted, or the reason it was not. */
async function libvipsProblem(profile: Uint8Array): Promise<string | null> {
  try {
    await convertToSrgb({ data: new Uint8Array([128, 64, 192]), width: 1, height: 1, channels: 3 }, profile);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The table applied to the colour channels (alpha untouched). */
function applyTable(image: RgbImage, table: Uint8Array): void {
  const { data, channels } = image;
  for (let i = 0; i < data.length; i += channels) {
    data[i] = table[data[i]!]!;
    data[i + 1] = table[data[i + 1]!]!;
    data[i + 2] = table[data[i + 2]!]!;
  }
}
