// Reading a run of DICOM data elements out of a window of a file's bytes with dicom-parser, up to a
// tag the caller stops at. A window that ends inside an element says so, and the caller reads a
// larger one: a header is read in pieces, never the file.

import { attribute } from './dicom-dictionary';
import { tagAt } from './dicom-fragments';
import { type DataSet, dataSetOf, dicomParser, type Element, streamOf } from './dicom-parser';

export type ElementRun =
  /** Stopped before the element tagged `tag`, which starts at `position` of the window. */
  | { kind: 'stopped'; dataSet: DataSet; position: number; tag: number }
  /** Every element of the window read, to its last byte. */
  | { kind: 'whole'; dataSet: DataSet }
  /** The window ends inside an element. */
  | { kind: 'cut' };

/**
 * The VR of a known tag, for implicit-VR data sets. dicom-parser's types want a string, but it
 * takes undefined as "unknown" and finds an unknown tag's sequence by its items.
 */
const vrOf = ((key: string): string | undefined => attribute(key)?.vr) as (key: string) => string;

/**
 * The elements from `start` until one whose tag `stop` accepts, as a data set over the window.
 * Sequences are read whole, with their items.
 */
export function readElements(bytes: Uint8Array, start: number, explicit: boolean, stop: (tag: number) => boolean): ElementRun {
  const elements: Record<string, Element> = {};
  let position = start;
  while (position + 8 <= bytes.length) {
    const tag = tagAt(bytes, position);
    if (stop(tag)) return { kind: 'stopped', dataSet: dataSetOf(bytes, elements), position, tag };
    const stream = streamOf(bytes, position);
    const warnings: string[] = [];
    let element: Element;
    try {
      element = explicit ? dicomParser.readDicomElementExplicit(stream, warnings) : dicomParser.readDicomElementImplicit(stream, undefined, vrOf);
    } catch {
      return { kind: 'cut' }; // dicom-parser throws when it reads past the window
    }
    // A sequence of undefined length cut off by the window ends at the window, with a warning.
    if (stream.position >= bytes.length && warnings.some((w) => w.startsWith('eof'))) return { kind: 'cut' };
    if (stream.position > bytes.length || stream.position <= position) return { kind: 'cut' };
    elements[element.tag] = element;
    position = stream.position;
  }
  return position === bytes.length ? { kind: 'whole', dataSet: dataSetOf(bytes, elements) } : { kind: 'cut' };
}
