// Slide files the app offers to open (the native dialog's filter; build/electron-builder.yml
// declares the same extensions as file associations).

export const SLIDE_EXTENSIONS = ['svs', 'tif', 'tiff'] as const;

export const OPEN_DIALOG_FILTERS: Array<{ name: string; extensions: string[] }> = [
  { name: 'Whole-slide images (SVS, TIFF)', extensions: [...SLIDE_EXTENSIONS] },
  { name: 'All files', extensions: ['*'] },
];
