// Annotation files on disk, for the app (import, export, its own store), the CLI and the exports'
// burn-in alike: read whichever of GeoJSON or ImageScope XML a file holds (by its first character),
// bounded in size before it is read; write either, atomically.

import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readGeoJsonImport, writeGeoJson } from '../../shared/annotation-geojson';
import { type AnnotationDocument, AnnotationFileError, type AnnotationFormat, type AnnotationImport } from '../../shared/annotations';
import { LIMITS } from '../../shared/limits';
import type { Mpp } from '../../shared/slide';
import { SlideError } from '../engine/errors';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { readImageScopeXml, writeImageScopeXml } from './imagescope-xml';

/** The document in a file (GeoJSON or ImageScope XML); NOT_FOUND, TOO_LARGE or CORRUPT_DATA naming the line or feature. */
export async function readAnnotationFile(path: string): Promise<AnnotationDocument> {
  return (await readAnnotationImport(path)).document;
}

/** readAnnotationFile, with how many of the file's objects were not annotations (left out). */
export async function readAnnotationImport(path: string): Promise<AnnotationImport> {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) throw new SlideError('NOT_FOUND', `${basename(path)} does not exist or is not a file.`, path);
  if (info.size > LIMITS.maxAnnotationFileBytes)
    throw new AnnotationFileError(
      'TOO_LARGE',
      `${basename(path)} is ${info.size} bytes, more than the ${LIMITS.maxAnnotationFileBytes} an annotation file may be.`,
      path,
    );
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new SlideError('IO_ERROR', `Reading ${basename(path)} failed (${error.code ?? error.message}).`, path);
  });
  return parseAnnotationImport(text, path);
}

/** Text as annotations: XML (ImageScope) when it starts with '<', else GeoJSON. */
export function parseAnnotations(text: string, path?: string): AnnotationDocument {
  return parseAnnotationImport(text, path).document;
}

function parseAnnotationImport(text: string, path?: string): AnnotationImport {
  const first = /\S/.exec(text.replace(/^\uFEFF/, ''))?.[0];
  const options = { newId: randomUUID, ...(path === undefined ? {} : { path }) };
  if (first === '<') return { document: readImageScopeXml(text, options), leftOut: 0 };
  if (first === '{' || first === '[') return readGeoJsonImport(text, options);
  throw new AnnotationFileError('CORRUPT_DATA', 'Neither GeoJSON nor ImageScope XML.', path);
}

export function formatAnnotations(doc: AnnotationDocument, format: AnnotationFormat, mpp: Mpp | null): string {
  return format === 'geojson' ? writeGeoJson(doc) : writeImageScopeXml(doc, mpp);
}

/** Writes the document whole or not at all (a temporary file renamed into place). */
export async function writeAnnotationFile(path: string, doc: AnnotationDocument, format: AnnotationFormat, mpp: Mpp | null, overwrite: boolean): Promise<void> {
  await writeFileAtomic(path, new TextEncoder().encode(formatAnnotations(doc, format, mpp)), overwrite);
}
