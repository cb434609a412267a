// Annotation files on disk, for the app (import, export, its own store), the CLI and the exports'
// burn-in alike: read whichever of GeoJSON or ImageScope XML a file holds (by its first character),
// bounded in size before it is read, and inflated first when it is QuPath's .zip or a gzip file
// (compressed-annotations.ts); write either, or a measurement table, atomically.

import { isUtf8, transcode } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { type ReadOptions, readGeoJson, readGeoJsonImport, writeGeoJson } from '../../shared/annotation-geojson';
import { type Annotation, type AnnotationDocument, AnnotationFileError, type AnnotationFormat, type AnnotationImport } from '../../shared/annotations';
import { readGeoJsonDetections } from '../../shared/detection-geojson';
import type { DetectionSet } from '../../shared/detections';
import { LIMITS } from '../../shared/limits';
import { finishTurning, type Sliced } from '../../shared/slices';
import { SlideError } from '../engine/errors';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { uncompressedAnnotationBytes } from './compressed-annotations';
import { readImageScopeXml, writeImageScopeXml } from './imagescope-xml';
import { measurementTable, nextTurn, type TableSlide, type TableSlideRows, tableSeparator, writeDetectionTable } from './measurement-table';

/**
 * The document in a file (GeoJSON or ImageScope XML), every feature in it (a slide's stored file);
 * NOT_FOUND, TOO_LARGE or CORRUPT_DATA naming the line or feature.
 */
export async function readAnnotationFile(path: string): Promise<AnnotationDocument> {
  return parseAnnotations(await readAnnotationText(path), path);
}

/** A file to import: its annotations, QuPath's detections left out and counted (readGeoJsonImport). */
export async function readAnnotationImport(path: string): Promise<AnnotationImport> {
  return parseAnnotationImport(await readAnnotationText(path), path);
}

/**
 * QuPath's detections in a GeoJSON file (zipped or gzipped too), for the layer over a slide; the file's
 * other features counted as left out. CORRUPT_DATA for ImageScope XML, which holds annotations only.
 */
export async function readDetectionFile(path: string): Promise<DetectionSet> {
  const text = await readAnnotationText(path);
  if (readOptions(text, path).xml)
    throw new AnnotationFileError('CORRUPT_DATA', `${basename(path)} is ImageScope XML, which holds annotations, not QuPath's detections.`, path);
  return readGeoJsonDetections(text, path);
}

async function readAnnotationText(path: string): Promise<string> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new SlideError('NOT_FOUND', `${basename(path)} does not exist or is not a file.`, path);
  if (info.size > LIMITS.maxAnnotationFileBytes)
    throw new AnnotationFileError(
      'TOO_LARGE',
      `${basename(path)} is ${info.size} bytes, more than the ${LIMITS.maxAnnotationFileBytes} an annotation file may be.`,
      path,
    );
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new SlideError('IO_ERROR', `Reading ${basename(path)} failed (${error.code ?? error.message}).`, path);
  });
  return decodeAnnotationText(uncompressedAnnotationBytes(bytes, path), path);
}

/** XML's declared encodings the readers take besides UTF-8 (ImageScope on Windows may write these). */
const XML_ENCODINGS: Record<string, string> = { 'iso-8859-1': 'windows-1252', latin1: 'windows-1252', 'windows-1252': 'windows-1252', 'us-ascii': 'utf-8' };

/**
 * A file's text: UTF-8, or UTF-16 by its byte-order mark, or the Latin-1 an XML declaration names.
 * Bytes that are none of these are refused, not replaced (a name would come back changed).
 */
export function decodeAnnotationText(bytes: Uint8Array, path: string): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return decodeOrRefuse(bytes.subarray(2), bytes[0] === 0xff ? 'utf-16le' : 'utf-16be', path);
  const declared = /^(?:\xEF\xBB\xBF)?<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/
    .exec(Buffer.from(bytes.subarray(0, 200)).toString('latin1'))?.[1]
    ?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8') {
    const label = XML_ENCODINGS[declared];
    if (!label) throw new AnnotationFileError('CORRUPT_DATA', `${basename(path)} is XML in ${declared}, which cannot be read here: save it as UTF-8.`, path);
    return decodeOrRefuse(bytes, label, path);
  }
  // Two bytes a character at most on the heap; past a quarter of it, the text is held outside.
  if (2 * bytes.length > getHeapStatistics().heap_size_limit / 4) return isUtf8(bytes) ? offHeapText(bytes) : decodeOrRefuse(bytes, 'utf-8', path);
  return decodeOrRefuse(bytes, 'utf-8', path);
}

/**
 * Valid UTF-8 as a string held outside V8's heap (Node makes a large Buffer's latin1 or UTF-16 text an
 * external string): the engine's threads share one 512 MB heap limit, which a 500 MB file's text, or a
 * 250 MB one's once a Korean class name makes it two bytes a character, would pass, aborting the process.
 * Only for such texts: the JSON scan reads an external string's characters slower (1.0 s more of 7 s
 * for a 276 MB export).
 */
function offHeapText(bytes: Uint8Array): string {
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  if (beyondLatin1(body)) return transcode(body, 'utf8', 'utf16le').toString('utf16le');
  // Latin-1 text (QuPath's "µm^2" and English names) written over the bytes read, which it takes no
  // more room than: no copy of the file besides the string. Its ASCII runs moved whole.
  let [at, from] = [0, 0];
  while (from < body.length) {
    let end = from;
    while (end < body.length && body[end]! < 0x80) end++;
    if (at !== from) body.copyWithin(at, from, end);
    at += end - from;
    if (end === body.length) break;
    // A two-byte character (lead 0xC2 or 0xC3): U+0080 to U+00FF.
    body[at++] = ((body[end]! & 0x03) << 6) | (body[end + 1]! & 0x3f);
    from = end + 2;
  }
  return Buffer.from(body.buffer, body.byteOffset, at).toString('latin1');
}

/** Whether UTF-8 bytes hold a character past U+00FF (a lead byte from 0xC4), read four at a time where they are ASCII. */
function beyondLatin1(bytes: Uint8Array): boolean {
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4);
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + head, (bytes.length - head) >>> 2);
  const tail = head + 4 * words.length;
  for (let i = 0; i < head; i++) if (bytes[i]! >= 0xc4) return true;
  for (let w = 0; w < words.length; w++) {
    if ((words[w]! & 0x80808080) === 0) continue;
    for (let i = head + 4 * w; i < head + 4 * w + 4; i++) if (bytes[i]! >= 0xc4) return true;
  }
  for (let i = tail; i < bytes.length; i++) if (bytes[i]! >= 0xc4) return true;
  return false;
}

function decodeOrRefuse(bytes: Uint8Array, encoding: string, path: string): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    // The first character the lenient decoder had to replace names the line (a U+FFFD the file holds before it aside).
    const lenient = new TextDecoder(encoding).decode(bytes);
    const line = lenient.slice(0, lenient.indexOf('\uFFFD')).split('\n').length;
    throw new AnnotationFileError(
      'CORRUPT_DATA',
      `${basename(path)} is not ${encoding.toUpperCase()} text: line ${line} holds bytes that are no character. Save it as UTF-8.`,
      path,
    );
  }
}

/** Text as annotations, every feature one: XML (ImageScope) when it starts with '<', else GeoJSON. */
export function parseAnnotations(text: string, path?: string): AnnotationDocument {
  const options = readOptions(text, path);
  return options.xml ? readImageScopeXml(text, options) : readGeoJson(text, options);
}

/** parseAnnotations for an import: QuPath's detections left out of GeoJSON and counted, features with no geometry skipped and counted. */
function parseAnnotationImport(text: string, path?: string): AnnotationImport {
  const options = readOptions(text, path);
  return options.xml ? { document: readImageScopeXml(text, options), leftOut: 0, skipped: 0 } : readGeoJsonImport(text, options);
}

/** How to read the text: which of the two formats (its first character), new ids, the file for messages. */
function readOptions(text: string, path: string | undefined): ReadOptions & { xml: boolean } {
  const first = /\S/.exec(text.replace(/^\uFEFF/, ''))?.[0];
  if (first !== '<' && first !== '{' && first !== '[') throw new AnnotationFileError('CORRUPT_DATA', 'Neither GeoJSON nor ImageScope XML.', path);
  return { newId: randomUUID, ...(path === undefined ? {} : { path }), xml: first === '<' };
}

/**
 * The document in a format; `path`, the file it goes to, chooses a measurement table's separator, and a
 * table counts the detections loaded for the slide in each annotation (sliced: measurementTable).
 */
export function* formatAnnotations(doc: AnnotationDocument, format: AnnotationFormat, slide: TableSlide, path = '', detections?: DetectionSet): Sliced<string> {
  switch (format) {
    case 'geojson':
      return writeGeoJson(doc);
    case 'imagescope':
      return writeImageScopeXml(doc, slide.mpp);
    case 'csv':
      return yield* measurementTable([{ slide, doc, detections }], tableSeparator(path));
  }
}

/** Several slides' annotations as one measurement table, whole or not at all; the separator by the file's extension. */
export async function writeTableFile(path: string, slides: readonly TableSlideRows[], overwrite: boolean): Promise<void> {
  const text = await finishTurning(measurementTable(slides, tableSeparator(path)), nextTurn);
  await writeFileAtomic(path, new TextEncoder().encode(text), overwrite);
}

/**
 * A slide's detections as QuPath's detection measurement table, each under the slide's annotation that
 * holds it, whole or not at all; the separator by the file's extension.
 */
export async function writeDetectionTableFile(
  path: string,
  slide: TableSlide,
  set: DetectionSet,
  annotations: readonly Annotation[],
  overwrite: boolean,
): Promise<void> {
  await writeFileAtomic(path, await writeDetectionTable(slide, set, annotations, tableSeparator(path)), overwrite);
}

/** Writes the document whole or not at all (a temporary file renamed into place); a table with the slide's detections counted, when given. */
export async function writeAnnotationFile(
  path: string,
  doc: AnnotationDocument,
  format: AnnotationFormat,
  slide: TableSlide,
  overwrite: boolean,
  detections?: DetectionSet,
): Promise<void> {
  const text = await finishTurning(formatAnnotations(doc, format, slide, path, detections), nextTurn);
  await writeFileAtomic(path, new TextEncoder().encode(text), overwrite);
}
