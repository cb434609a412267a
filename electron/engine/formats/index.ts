// The format table, most specific first: the first plugin that recognises a file opens it.

import { readError, SlideError } from '../errors';
import type { SlideSource } from '../slide-source';
import { TiffFile } from '../tiff/tiff-file';
import { aperioFormat } from './aperio';
import type { FormatPlugin } from './format-plugin';
import { genericTiffFormat } from './generic-tiff';

export const FORMATS: readonly FormatPlugin[] = [aperioFormat, genericTiffFormat];

export async function openSlideSource(path: string): Promise<SlideSource> {
  const tiff = await TiffFile.open(path);
  try {
    const plugin = FORMATS.find((f) => f.detect(tiff));
    if (!plugin) throw new SlideError('UNSUPPORTED_FORMAT', 'It is a TIFF file, but not a slide format Slidescope reads.', path);
    return await plugin.open(tiff);
  } catch (error) {
    await tiff.close();
    throw readError(error, path);
  }
}
