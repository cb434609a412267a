// The format table, most specific first: the first plugin that recognises a file opens it.

import { statSync } from 'node:fs';
import { readError, SlideError, truncatedHeaderError } from '../errors';
import { blockingCall } from '../pool-reads';
import { SlideFile } from '../slide-file';
import type { SlideSource } from '../slide-source';
import { aperioFormat } from './aperio';
import { dicomFormat } from './dicom/dicom';
import { cutInsideMetaGroup } from './dicom/dicom-instance';
import type { FormatPlugin } from './format-plugin';
import { genericTiffFormat } from './generic-tiff';
import { vmsFormat } from './hamamatsu-vms/vms';
import { leicaFormat } from './leica';
import { miraxFormat } from './mirax/mirax';
import { ndpiFormat } from './ndpi/ndpi';
import { omeTiffFormat } from './ome-tiff';
import { philipsFormat } from './philips';
import { sakuraFormat } from './sakura/sakura';
import { SlideProbe } from './slide-probe';
import { trestleFormat } from './trestle/trestle';
import { ventanaFormat } from './ventana';

export const FORMATS: readonly FormatPlugin[] = [
  dicomFormat,
  miraxFormat,
  vmsFormat,
  sakuraFormat,
  ndpiFormat,
  aperioFormat,
  philipsFormat,
  leicaFormat,
  ventanaFormat,
  omeTiffFormat,
  trestleFormat,
  genericTiffFormat,
];

export async function openSlideSource(path: string): Promise<SlideSource> {
  if (isFolder(path)) return openFolderSource(path);
  const file = SlideFile.open(path);
  try {
    const probe = await SlideProbe.of(file);
    for (const plugin of FORMATS) {
      if (await plugin.detect(probe)) return await plugin.open(probe);
    }
    // Asked once no format took the file: a MIRAX .mrxs is a key file never read (OpenSlide opens an
    // empty one). A copy that stopped at once, or a cloud drive's placeholder not yet downloaded, is
    // not "no slide format".
    if (probe.head.length === 0) throw new SlideError('CORRUPT_DATA', 'The file is empty (0 bytes): a copy that did not finish?', path);
    if (probe.startsLikeTiff && !probe.isTiff) throw truncatedHeaderError('TIFF', probe.head.length, path);
    if (cutInsideMetaGroup(probe.head, probe.file.size)) throw truncatedHeaderError('DICOM', probe.file.size, path);
    throw new SlideError(
      probe.isTiff ? 'UNSUPPORTED_FORMAT' : 'NOT_A_SLIDE',
      probe.isTiff
        ? 'It is a TIFF file, but not a slide format Slidescope reads.'
        : `This file is not a slide: it is none of the formats Slidescope reads (${FORMATS.map((f) => f.info.label).join(', ')}).`,
      path,
    );
  } catch (error) {
    file.close();
    throw readError(error, path);
  }
}

/** In the lane's thread, as SlideFile looks at a path: a trip to the thread pool costs more. */
function isFolder(path: string): boolean {
  try {
    return blockingCall(() => statSync(path, { throwIfNoEntry: false }))?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** A folder as one slide: the first format that finds one in it opens it. */
async function openFolderSource(path: string): Promise<SlideSource> {
  try {
    for (const plugin of FORMATS) {
      const source = await plugin.openFolder?.(path);
      if (source) return source;
    }
  } catch (error) {
    throw readError(error, path);
  }
  const folderFormats = FORMATS.filter((f) => f.openFolder).map((f) => f.info.label);
  throw new SlideError('NOT_A_SLIDE', `This folder holds no slide: none of its files is a slide that is a folder (${folderFormats.join(', ')}).`, path);
}
