// The slide formats Slidescope reads, declared once: the engine's plugins name their entry, and the
// open dialog, the CLI's folder scan, the drop zone, the packaged file associations and the README
// are derived from (or checked against) this list.

export interface SlideFormat {
  /** The engine plugin's name, reported as a slide's `format`. */
  readonly name: string;
  /** How a person knows it ("Aperio SVS"). */
  readonly label: string;
  /** File name endings, without the dot, longest first where one ends another ('ome.tif'). */
  readonly extensions: readonly string[];
  /** A slide of this format is a folder's files (DICOM: a file per level): the folder opens as the slide. */
  readonly folder?: boolean;
}

export const SLIDE_FORMATS = [
  { name: 'aperio', label: 'Aperio SVS', extensions: ['svs'] },
  { name: 'hamamatsu-ndpi', label: 'Hamamatsu NDPI', extensions: ['ndpi'] },
  { name: 'philips', label: 'Philips TIFF', extensions: ['tiff'] },
  { name: 'leica', label: 'Leica SCN', extensions: ['scn'] },
  { name: 'ventana', label: 'Ventana BIF', extensions: ['bif'] },
  { name: 'ome-tiff', label: 'OME-TIFF', extensions: ['ome.tif', 'ome.tiff', 'ome.btf'] },
  { name: 'dicom', label: 'DICOM', extensions: ['dcm'], folder: true },
  { name: 'mirax', label: '3DHistech MIRAX', extensions: ['mrxs'] },
  { name: 'hamamatsu-vms', label: 'Hamamatsu VMS/VMU', extensions: ['vms', 'vmu'] },
  { name: 'trestle', label: 'Trestle (MedScan) TIFF', extensions: ['tif'] },
  { name: 'sakura', label: 'Sakura SVSLIDE', extensions: ['svslide'] },
  { name: 'generic-tiff', label: 'pyramidal TIFF', extensions: ['tif', 'tiff', 'btf', 'tf8'] },
] as const satisfies readonly SlideFormat[];

export type SlideFormatName = (typeof SLIDE_FORMATS)[number]['name'];

export function slideFormat(name: SlideFormatName): SlideFormat {
  return SLIDE_FORMATS.find((f) => f.name === name)!;
}

/** How a person knows a slide's format ("Aperio SVS"), from the name the engine reports; the name itself if it is none of ours. */
export function formatLabel(name: string): string {
  return SLIDE_FORMATS.find((f) => f.name === name)?.label ?? name;
}

/** Every file name ending any format uses, once each. */
export const SLIDE_EXTENSIONS: readonly string[] = [...new Set(SLIDE_FORMATS.flatMap((f) => f.extensions))];

/** The longest slide ending a file name has ('ome.tif' of x.ome.tif), without the dot; null for none. */
export function slideExtensionOf(fileName: string): string | null {
  const lower = fileName.toLowerCase();
  let found: string | null = null;
  for (const ext of SLIDE_EXTENSIONS) if (lower.endsWith(`.${ext}`) && ext.length > (found?.length ?? 0)) found = ext;
  return found;
}

/** Whether a file name looks like a slide by its ending (a folder scan's filter; opening checks content). */
export function hasSlideExtension(fileName: string): boolean {
  return slideExtensionOf(fileName) !== null;
}

/** Whether a file name is one a slide made of a folder's files has (the folder is then the slide). */
export function hasFolderSlideExtension(fileName: string): boolean {
  const lower = fileName.toLowerCase();
  return SLIDE_FORMATS.some((f) => 'folder' in f && f.folder && f.extensions.some((ext) => lower.endsWith(`.${ext}`)));
}
