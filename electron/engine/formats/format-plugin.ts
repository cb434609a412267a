import type { SlideFormat } from '../../../shared/slide-formats';
import type { SlideSource } from '../slide-source';
import type { SlideProbe } from './slide-probe';

/** A slide format: recognises a file by its content and opens it as a SlideSource. */
export interface FormatPlugin {
  /** Its entry in the format list: name, label, extensions. */
  readonly info: SlideFormat;
  /**
   * True when the file is this format, by content (signatures, tags, descriptions), never by its
   * extension alone. Cheap: the probe parses TIFF directories once for all TIFF plugins.
   */
  detect(probe: SlideProbe): Promise<boolean>;
  /** Opens the probed file; the source owns the probe's file from then on, and closes it. */
  open(probe: SlideProbe): Promise<SlideSource>;
  /**
   * For formats whose slide may be a folder of files (DICOM's series): opens the slide a folder
   * holds, or answers null when it holds none of this format. A folder holding several throws
   * SEVERAL_SLIDES, its choices naming them.
   */
  openFolder?(folder: string): Promise<SlideSource | null>;
}
