// File types the native dialogs offer, named in the user's language: slide files (from
// shared/slide-formats.ts; build/electron-builder.yml declares the same extensions as file
// associations, and a test checks it), export images, annotation files and alignment files.

import type { AnnotationFormat } from '../../shared/annotations';
import { IMAGE_EXTENSIONS } from '../../shared/export-plan';
import type { Translate } from '../../shared/i18n/catalogue';
import { slideFormatLabels } from '../../shared/i18n/format-labels';
import { SLIDE_EXTENSIONS } from '../../shared/slide-formats';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Dialog filters match the last dot's extension only: 'ome.tif' is offered as 'tif'. */
const DIALOG_EXTENSIONS = [...new Set(SLIDE_EXTENSIONS.map((ext) => ext.slice(ext.lastIndexOf('.') + 1)))];

export function openDialogFilters(t: Translate): FileFilter[] {
  return [
    { name: t('fileTypes.slides', { formats: slideFormatLabels(t) }), extensions: DIALOG_EXTENSIONS },
    { name: t('fileTypes.all'), extensions: ['*'] },
  ];
}

/** The thumbnail save dialog's filter: the one format the renderer asked for. */
export function exportDialogFilters(t: Translate, format: 'png' | 'jpeg' | 'tiff'): FileFilter[] {
  return [{ name: t(`fileTypes.${format}`), extensions: [...IMAGE_EXTENSIONS[format]] }];
}

/** The annotation import dialog takes both formats, and GeoJSON compressed (QuPath's .zip, or gzip). */
export function annotationImportFilters(t: Translate): FileFilter[] {
  return [
    { name: t('fileTypes.annotations'), extensions: ['geojson', 'json', 'xml', 'zip', 'gz'] },
    { name: t('fileTypes.all'), extensions: ['*'] },
  ];
}

/** QuPath's detections: its GeoJSON export, zipped or gzipped too (ImageScope XML holds none). */
export function detectionFileFilters(t: Translate): FileFilter[] {
  return [
    { name: t('fileTypes.geojson'), extensions: ['geojson', 'json', 'zip', 'gz'] },
    { name: t('fileTypes.all'), extensions: ['*'] },
  ];
}

/** Each annotation export its own format. */
export function annotationExportFilters(t: Translate, format: AnnotationFormat): FileFilter[] {
  switch (format) {
    case 'geojson':
      return [{ name: t('fileTypes.geojson'), extensions: ['geojson', 'json'] }];
    case 'imagescope':
      return [{ name: t('fileTypes.imagescope'), extensions: ['xml'] }];
    case 'csv':
      // The extension chooses the separator: comma (Excel), or tab (as QuPath writes its tables).
      return [
        { name: t('fileTypes.csv'), extensions: ['csv'] },
        { name: t('fileTypes.tsv'), extensions: ['tsv', 'txt'] },
      ];
  }
}

/** Alignment files of compared slides: the load dialog offers every file too, the save dialog this type only. */
export function alignmentFilters(t: Translate): FileFilter[] {
  return [
    { name: t('fileTypes.alignment'), extensions: ['json'] },
    { name: t('fileTypes.all'), extensions: ['*'] },
  ];
}
