// A slide whose pixels are in a strongly non-sRGB colour space, saying so with an embedded ICC
// profile (TIFF tag 34675 InterColorProfile, in every pyramid level as scanners write it): an Aperio
// SVS or a generic pyramidal TIFF, tiled YCbCr JPEG. What the colour tests convert and compare.

import { ICC_PROFILE_TAG } from '../../electron/engine/colour/icc-profile';
import type { WrittenSlide } from '../../electron/synth/slides';
import { FieldType, type RawTag, TiffWriter } from '../../electron/synth/tiff-writer';
import { type TestProfileKind, writeIccProfile } from './icc-profile';
import { writeAtomically, writeJpegPyramid } from './vendor-tiff';

export interface IccSlideOptions {
  /** 'aperio': an SVS (Aperio description); 'generic-tiff': a plain pyramid, reduced levels flagged. */
  flavour: 'aperio' | 'generic-tiff';
  profile: TestProfileKind;
  width: number;
  height: number;
  /** Default 256. */
  tileSize?: number;
  /** Levels 4x apart (default 2). */
  levels?: number;
  seed: number;
  /** Replaces the InterColorProfile tag (hostile files: damaged profiles, wrong field types). */
  profileTag?: RawTag;
}

/** The profile a slide of these options carries (tests convert with it). */
export function iccSlideProfile(options: Pick<IccSlideOptions, 'profile'>): Uint8Array {
  return writeIccProfile({ kind: options.profile, description: `Slidescope test ${options.profile}` });
}

export async function writeIccSlide(path: string, options: IccSlideOptions): Promise<WrittenSlide> {
  const tileSize = options.tileSize ?? 256;
  const profile = iccSlideProfile(options);
  const { width, height } = options;
  const description =
    options.flavour === 'aperio'
      ? `Aperio Image Library v11.2.1 \r\n${width}x${height} [0,0 ${width}x${height}] (${tileSize}x${tileSize}) JPEG/YCC Q=90|AppMag = 20|MPP = 0.4990`
      : undefined;
  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp);
    try {
      const { sizes } = await writeJpegPyramid(writer, {
        width,
        height,
        tileSize,
        levels: options.levels ?? 2,
        factor: 4,
        quality: 90,
        seed: options.seed,
        declare: (level, size, tags) =>
          writer.addImage({
            ...tags,
            width: size.width,
            height: size.height,
            layout: { kind: 'tiles', tileWidth: tileSize, tileHeight: tileSize },
            newSubfileType: level === 0 ? 0 : 1,
            ...(description ? { description } : {}),
            extraTags: [options.profileTag ?? { tag: ICC_PROFILE_TAG, type: FieldType.UNDEFINED, values: profile }],
          }),
      });
      await writer.close();
      return { width, height, levels: sizes, associated: {} };
    } catch (error) {
      await writer.abort();
      throw error;
    }
  });
}
