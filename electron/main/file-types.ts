// Slide files the app offers to open (the native dialog's filter; build/electron-builder.yml
// declares the same extensions as file associations).

export const SLIDE_EXTENSIONS = ['svs', 'tif', 'tiff'] as const;

export const OPEN_DIALOG_FILTERS: Array<{ name: string; extensions: string[] }> = [
  { name: 'Whole-slide images (SVS, TIFF)', extensions: [...SLIDE_EXTENSIONS] },
  { name: 'All files', extensions: ['*'] },
];

/** The thumbnail save dialog's filter: the one format the renderer asked for. */
export const EXPORT_DIALOG_FILTERS: Record<'png' | 'jpeg' | 'tiff', Array<{ name: string; extensions: string[] }>> = {
  png: [{ name: 'PNG image', extensions: ['png'] }],
  jpeg: [{ name: 'JPEG image', extensions: ['jpg', 'jpeg'] }],
  tiff: [{ name: 'TIFF image', extensions: ['tif', 'tiff'] }],
};
