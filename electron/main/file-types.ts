// Slide files the app offers to open (the native dialog's filter, from shared/slide-formats.ts;
// build/electron-builder.yml declares the same extensions as file associations, and a test checks it).

import { SLIDE_EXTENSIONS, SLIDE_FORMATS } from '../../shared/slide-formats';

/** Dialog filters match the last dot's extension only: 'ome.tif' is offered as 'tif'. */
const DIALOG_EXTENSIONS = [...new Set(SLIDE_EXTENSIONS.map((ext) => ext.slice(ext.lastIndexOf('.') + 1)))];

export const OPEN_DIALOG_FILTERS: Array<{ name: string; extensions: string[] }> = [
  { name: `Whole-slide images (${SLIDE_FORMATS.map((f) => f.label).join(', ')})`, extensions: DIALOG_EXTENSIONS },
  { name: 'All files', extensions: ['*'] },
];

/** The thumbnail save dialog's filter: the one format the renderer asked for. */
export const EXPORT_DIALOG_FILTERS: Record<'png' | 'jpeg' | 'tiff', Array<{ name: string; extensions: string[] }>> = {
  png: [{ name: 'PNG image', extensions: ['png'] }],
  jpeg: [{ name: 'JPEG image', extensions: ['jpg', 'jpeg'] }],
  tiff: [{ name: 'TIFF image', extensions: ['tif', 'tiff'] }],
};
