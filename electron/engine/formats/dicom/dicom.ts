// DICOM whole-slide images (VL Whole Slide Microscopy Image Storage): a slide is a series, a file
// per pyramid level (or several: a concatenation's parts) plus its label, overview and thumbnail,
// in one folder. Opened from any one of its files (the folder is searched for the rest of its
// series) or from the folder itself (which must then hold one slide; several are named, to choose
// from). Read as OpenSlide 4's DICOM reader reads them (openslide-vendor-dicom.c).

import { dirname } from 'node:path';
import { slideFormat } from '../../../../shared/slide-formats';
import { SlideError } from '../../errors';
import { folderNames } from '../../folder-listing';
import { quotedName } from '../companion-files';
import type { FormatPlugin } from '../format-plugin';
import { isWsiDicom, readInstance } from './dicom-instance';
import { closeAll, describeSlide, openSeries, readFolderInstances, slidesOf } from './dicom-series';

/** Entries of a folder looked through for a slide's files. */
const MAX_ENTRIES = 100_000;

/** The folder's names, or NOT_FOUND naming it. */
function slideFolderNames(folder: string): string[] {
  try {
    return folderNames(folder, MAX_ENTRIES);
  } catch (error) {
    throw new SlideError('NOT_FOUND', `The folder cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, folder);
  }
}

export const dicomFormat: FormatPlugin = {
  info: slideFormat('dicom'),
  async detect(probe) {
    // A DICOM file that is a TIFF too, named as a TIFF, is read as the TIFF (OpenSlide does the same).
    if (probe.isTiff && /\.tiff?$/i.test(probe.name)) return false;
    return isWsiDicom(probe.head);
  },
  async open(probe) {
    const start = await readInstance(probe.file);
    const others = await readFolderInstances(dirname(probe.path), await probe.siblings(), start.series);
    return openSeries([start, ...others.instances], probe.path, others.unreadable);
  },
  async openFolder(folder) {
    const { instances, unreadable } = await readFolderInstances(folder, slideFolderNames(folder));
    const slides = [...slidesOf(instances).values()];
    if (slides.length !== 1) {
      await closeAll(instances);
      // Whole-slide DICOM files, every one damaged (a copy cut short): that is what the folder is, not "no slide".
      if (slides.length === 0 && unreadable.length > 0) {
        const named = unreadable.slice(0, 3).map((u) => `${quotedName(u.name)} (${u.reason.replace(/\.$/, '')})`);
        const more = unreadable.length > named.length ? `; and ${unreadable.length - named.length} more` : '';
        throw new SlideError('CORRUPT_DATA', `The folder's whole-slide DICOM files cannot be read: ${named.join('; ')}${more}.`, folder);
      }
      if (slides.length === 0) return null;
      const choices = slides.map(describeSlide).sort((a, b) => (a.path < b.path ? -1 : 1));
      throw new SlideError(
        'SEVERAL_SLIDES',
        `The folder holds ${slides.length} DICOM slides: ${choices.map((c) => c.name).join('; ')}. Open one of them.`,
        folder,
        choices,
      );
    }
    const [members] = slides;
    await closeAll(instances.filter((i) => !members!.includes(i)));
    return openSeries(members!, folder, unreadable);
  },
};
