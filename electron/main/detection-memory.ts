// The QuPath detections file last shown over a slide, and how it was shown (classes hidden, outlines
// or filled, nuclei, opacity), remembered per slide path in the user-data folder
// (slide-detections.json), so that reopening the slide shows them again. Remove forgets them.

import * as v from 'valibot';
import type { RememberedDetections } from '../../shared/detections';
import { absolutePath, detectionDisplay } from '../../shared/operations';
import { RememberedEntries, readBy } from './remembered-entries';

export const DETECTION_MEMORY_NAME = 'slide-detections.json';
/** Slides remembered: the least recently changed go first beyond this. */
export const DETECTION_MEMORY_MAX = 500;

const entry: v.GenericSchema<RememberedDetections> = v.strictObject({ file: absolutePath, display: detectionDisplay });

export class DetectionMemory {
  private readonly entries: RememberedEntries<RememberedDetections>;

  constructor(options: { dir: string; max?: number; onError?: (message: string, error: unknown) => void }) {
    this.entries = new RememberedEntries({
      dir: options.dir,
      name: DETECTION_MEMORY_NAME,
      max: options.max ?? DETECTION_MEMORY_MAX,
      read: readBy(entry),
      write: (shown) => shown,
      what: "the slides' remembered detections",
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** The detections file last shown over the slide at this path, and how, or null. */
  recall(slidePath: string): Promise<RememberedDetections | null> {
    return this.entries.load(slidePath);
  }

  /** Remembers the slide's detections as shown; null forgets them. */
  remember(slidePath: string, shown: RememberedDetections | null): Promise<void> {
    return this.entries.save(slidePath, shown);
  }

  /** Forgets the slide's detections file found unreadable, unless another has been remembered for it since. */
  forgetFile(slidePath: string, file: string): Promise<void> {
    return this.entries.forgetIf(slidePath, (shown) => shown.file === file);
  }
}
