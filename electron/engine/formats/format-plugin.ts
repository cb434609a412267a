import type { SlideSource } from '../slide-source';
import type { TiffFile } from '../tiff/tiff-file';

/** A slide format: recognises a file by its content and opens it as a SlideSource. */
export interface FormatPlugin {
  readonly name: string;
  /** True when the file is this format (by content: tags and descriptions, never the extension). */
  detect(tiff: TiffFile): boolean;
  open(tiff: TiffFile): Promise<SlideSource>;
}
