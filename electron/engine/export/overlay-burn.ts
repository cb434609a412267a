// What an export draws over the slide's pixels: a file's annotations, QuPath's detections from
// another, or both (the detections under the annotations), and one legend of the classes drawn.
// Both files are read, and refused when bad, before any pixel is.

import type { AnnotationDocument } from '../../../shared/annotations';
import { rgbToCss } from '../../../shared/annotations';
import { DEFAULT_DETECTION_DRAWING, type DetectionDrawing, type DetectionSet } from '../../../shared/detections';
import type { LegendLabels } from '../../../shared/operations';
import type { RgbImage } from '../../../shared/slide';
import { readAnnotationFile } from '../../annotations/annotation-files';
import { readDetectionsApart } from '../../annotations/detections-apart';
import { annotationLegendEntries, burnAnnotations, type ImageView, type LegendEntry, type Rgba, renderLegend } from './annotation-burn';
import { burnDetections } from './detection-burn';

export interface OverlayFiles {
  /** A GeoJSON or ImageScope file whose annotations are drawn in. */
  annotations?: string | undefined;
  /** A GeoJSON file whose QuPath detections are drawn in. */
  detections?: string | undefined;
  /** Their classes drawn, by name (null: unclassified), as the window shows them; absent: every one. */
  detectionClasses?: ReadonlyArray<string | null> | undefined;
  /** How they are drawn, as the window shows them; absent: outlines with their nuclei, opaque. */
  detectionDrawing?: DetectionDrawing | undefined;
  /** The legend's class names in the user's language. */
  legend?: LegendLabels | undefined;
}

export class ExportOverlay {
  /** The classes drawn in any image so far (the comparison's one legend): annotations' by name, detections' by index. */
  readonly #annotationClasses = new Set<string | null>();
  readonly #detectionClasses = new Set<number>();

  private constructor(
    private readonly annotations: AnnotationDocument | null,
    private readonly detections: DetectionSet | null,
    /** Whether each of the detections' classes is drawn. */
    private readonly detectionShown: readonly boolean[],
    private readonly detectionDrawing: DetectionDrawing,
    private readonly labels: LegendLabels | undefined,
  ) {}

  /** The files read; null when there is nothing to draw. CANCELLED when `signal` is aborted while the detections are read. */
  static async read(files: OverlayFiles, signal?: AbortSignal): Promise<ExportOverlay | null> {
    if (!files.annotations && !files.detections) return null;
    const annotations = files.annotations ? await readAnnotationFile(files.annotations) : null;
    const detections = files.detections ? await readDetectionsApart(files.detections, signal) : null;
    const chosen = files.detectionClasses && new Set(files.detectionClasses);
    const shown = (detections?.classes ?? []).map((c) => !chosen || chosen.has(c.name));
    return new ExportOverlay(annotations, detections, shown, files.detectionDrawing ?? DEFAULT_DETECTION_DRAWING, files.legend);
  }

  /**
   * The image with what falls in it drawn, and the legend of the classes it shows (null: none).
   * `owned`: the image's pixels are the caller's alone, to be drawn into rather than copied.
   */
  async burn(image: RgbImage, view: ImageView, signal?: AbortSignal, owned = false): Promise<{ image: RgbImage; legend: Rgba | null }> {
    let annotationClasses = new Set<string | null>();
    let detectionClasses = new Set<number>();
    let drawn = image;
    if (this.detections)
      ({ image: drawn, drawn: detectionClasses } = await burnDetections(image, this.detections, view, {
        signal,
        shown: this.detectionShown,
        drawing: this.detectionDrawing,
        inPlace: owned,
      }));
    // The detections' copy, where they made one, is this call's own.
    if (this.annotations)
      ({ image: drawn, drawn: annotationClasses } = await burnAnnotations(drawn, this.annotations, view, { inPlace: owned || drawn !== image }));
    for (const name of annotationClasses) this.#annotationClasses.add(name);
    for (const index of detectionClasses) this.#detectionClasses.add(index);
    return { image: drawn, legend: await this.#legend(annotationClasses, detectionClasses) };
  }

  /** The legend of every class drawn so far. */
  legendOfAll(): Promise<Rgba | null> {
    return this.#legend(this.#annotationClasses, this.#detectionClasses);
  }

  async #legend(annotationClasses: ReadonlySet<string | null>, detectionClasses: ReadonlySet<number>): Promise<Rgba | null> {
    const entries: LegendEntry[] = this.annotations ? annotationLegendEntries(this.annotations, annotationClasses, this.labels) : [];
    if (this.detections) {
      const said = new Map(this.labels?.classes.map((c) => [c.name, c.label]));
      for (const index of [...detectionClasses].sort((a, b) => a - b)) {
        const { name, color } = this.detections.classes[index]!;
        const entry = { name: name === null ? (this.labels?.unclassified ?? 'Unclassified') : (said.get(name) ?? name), color: rgbToCss(color) };
        // A class both files name in one colour is one row.
        if (!entries.some((e) => e.name === entry.name && e.color === entry.color)) entries.push(entry);
      }
    }
    return entries.length === 0 ? null : renderLegend(entries);
  }
}
