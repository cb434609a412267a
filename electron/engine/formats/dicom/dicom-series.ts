// A folder's DICOM whole-slide files grouped into slides: one slide per Series Instance UID, its
// instances sorted by Image Type into pyramid levels (VOLUME, one per size), the label (LABEL), the
// macro (OVERVIEW) and the thumbnail (THUMBNAIL). Other series, and files that are not DICOM
// whole-slide images, are left alone (closed).

import { join } from 'node:path';
import type { SlideChoice } from '../../../../shared/errors';
import { forEachLimited } from '../../concurrency';
import { isDamage, leftOutWarning, readError, SlideError, truncatedHeaderError } from '../../errors';
import { SlideFile } from '../../slide-file';
import { quotedName } from '../companion-files';
import { tagKey } from './dicom-dictionary';
import { cutInsideMetaGroup, DICOM_HEADER_WINDOW, type DicomInstance, isWsiDicom, readInstance, seriesInHead, Tag } from './dicom-instance';
import { DicomImage } from './dicom-level';
import { DicomSource } from './dicom-source';

/** DICOM files one folder may hold for Slidescope to look through. */
const MAX_FOLDER_INSTANCES = 20_000;
/** Files whose headers are read at once. */
const READS_AT_ONCE = 8;

const ASSOCIATED: Record<string, string> = { LABEL: 'label', OVERVIEW: 'macro', THUMBNAIL: 'thumbnail' };

/** A whole-slide DICOM file whose header cannot be read (damaged, cut short): the series its first bytes name, if they do. */
export interface UnreadableInstance {
  name: string;
  series: string | null;
  reason: string;
}

/**
 * The whole-slide DICOM files among `names` in `folder` (of one series, when `series` is given),
 * read as far as their headers; the rest are closed. Files that cannot be read as DICOM are
 * skipped, as OpenSlide skips them; those whose header is damaged are listed (`unreadable`), so that
 * the slide they may belong to says what it may lack.
 */
export async function readFolderInstances(
  folder: string,
  names: readonly string[],
  series?: string,
): Promise<{ instances: DicomInstance[]; unreadable: UnreadableInstance[] }> {
  const found: DicomInstance[] = [];
  const unreadable: UnreadableInstance[] = [];
  let dicomFiles = 0;
  await forEachLimited(
    names.filter((name) => !name.startsWith('.')),
    READS_AT_ONCE,
    async (name) => {
      let file: SlideFile;
      try {
        file = SlideFile.open(join(folder, name), { structureBlockBytes: DICOM_HEADER_WINDOW });
      } catch {
        return;
      }
      let keep = false;
      try {
        const head = await file.source.readChunk(0, 4096);
        if (!isWsiDicom(head)) {
          // Cut inside its meta group, its SOP class unread: it may be this slide's, and is damaged.
          if (cutInsideMetaGroup(head, file.size)) unreadable.push({ name, series: null, reason: truncatedHeaderError('DICOM', file.size, file.path).message });
          return;
        }
        if (++dicomFiles > MAX_FOLDER_INSTANCES) throw new SlideError('TOO_LARGE', `The folder holds more than ${MAX_FOLDER_INSTANCES} DICOM files.`, folder);
        // Another series' file is passed over on its first bytes, its header unread.
        const inHead = series === undefined ? undefined : seriesInHead(head);
        if (typeof inHead === 'string' && inHead !== series) return;
        const instance = await readInstance(file).catch((error: unknown) => {
          if (error instanceof SlideError && error.code === 'TOO_LARGE') throw error;
          const failure = readError(error, file.path);
          // Damage (not a file of another kind): the level or image it held is missing from its slide.
          if (isDamage(failure.code)) unreadable.push({ name, series: inHead === undefined ? seriesInHead(head) : inHead, reason: failure.message });
          return null;
        });
        if (instance && (series === undefined || instance.series === series)) {
          found.push(instance);
          keep = true;
        }
      } finally {
        if (!keep) file.close();
      }
    },
  ).catch(async (error: unknown) => {
    await closeAll(found);
    throw error;
  });
  // Directory order differs between systems: put the files in a fixed one.
  return {
    instances: found.sort((a, b) => (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0)),
    unreadable: unreadable.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
  };
}

/**
 * What a slide of `series` may lack for the folder's unreadable files: those its first bytes name as
 * its own, and those whose first bytes name no series (they may be its).
 */
function unreadableWarnings(unreadable: readonly UnreadableInstance[], series: string): string[] {
  return unreadable
    .filter((u) => u.series === null || u.series === series)
    .map(({ name, series: named, reason }) => {
      // "May": a cut copy of a file the folder also holds whole costs the slide nothing, and its header is too short to tell.
      const lost = 'the level, label or macro it holds may be missing';
      return `DICOM file ${quotedName(name)} ${named === null ? "in the slide's folder" : 'of this slide'} cannot be read (${reason.replace(/\.$/, '')}); ${named === null ? `if it is one of this slide's, ${lost}` : lost}.`;
    });
}

export async function closeAll(instances: readonly DicomInstance[]): Promise<void> {
  for (const instance of instances) instance.file.close();
}

function isLevel(instance: DicomInstance): boolean {
  return instance.imageType[2] === 'VOLUME';
}

function matrixSize(instance: DicomInstance): { width: number; height: number } {
  const { dataSet } = instance;
  return {
    width: dataSet.uint32(tagKey(Tag.TotalPixelMatrixColumns)) ?? dataSet.uint16(tagKey(Tag.Columns)) ?? 0,
    height: dataSet.uint32(tagKey(Tag.TotalPixelMatrixRows)) ?? dataSet.uint16(tagKey(Tag.Rows)) ?? 0,
  };
}

/** Instances of one series by Series Instance UID, only those with a pyramid level (a slide). */
export function slidesOf(instances: readonly DicomInstance[]): Map<string, DicomInstance[]> {
  const bySeries = new Map<string, DicomInstance[]>();
  for (const instance of instances) bySeries.set(instance.series, [...(bySeries.get(instance.series) ?? []), instance]);
  for (const [series, members] of bySeries) if (!members.some(isLevel)) bySeries.delete(series);
  return bySeries;
}

/** How a person tells the slides of a folder apart: their largest level's file, description and size. */
export function describeSlide(members: readonly DicomInstance[]): SlideChoice {
  const base = members.filter(isLevel).sort((a, b) => matrixSize(b).width - matrixSize(a).width)[0]!;
  const text = (tag: number) => base.dataSet.string(tagKey(tag)) ?? '';
  const { width, height } = matrixSize(base);
  const label = text(Tag.SeriesDescription) || text(Tag.ContainerIdentifier) || `series ${base.series}`;
  return { path: base.file.path, name: `${label} (${width} x ${height})` };
}

/** First by Instance Number, then by file name: a fixed choice among duplicates. */
function byInstanceNumber(a: DicomInstance, b: DicomInstance): number {
  return a.instanceNumber - b.instanceNumber || (a.file.path < b.file.path ? -1 : a.file.path > b.file.path ? 1 : 0);
}

/**
 * Opens a slide from the instances of its series: they are the source's from then on (closed with
 * it, or here when opening fails). `path` is what was opened (a file of it, or its folder);
 * `unreadable` the damaged whole-slide files of its folder, which it may lack (SlideSource.warnings).
 */
export async function openSeries(instances: readonly DicomInstance[], path: string, unreadable: readonly UnreadableInstance[]): Promise<DicomSource> {
  const used = new Set<DicomInstance>();
  const opened: DicomImage[] = [];
  const warnings = unreadableWarnings(unreadable, instances[0]!.series);
  try {
    // A file copied twice into the folder is one instance.
    const unique = [...new Map([...instances].sort(byInstanceNumber).map((i) => [i.sopInstance || i.file.path, i])).values()];
    const bySize = new Map<string, DicomInstance[]>();
    for (const instance of unique.filter(isLevel)) {
      const { width, height } = matrixSize(instance);
      const key = `${width}x${height}`;
      bySize.set(key, [...(bySize.get(key) ?? []), instance]);
    }
    if (bySize.size === 0) throw new SlideError('NOT_A_SLIDE', 'This DICOM series has no pyramid level (no VOLUME image).', path);
    const images: DicomImage[] = [];
    for (const members of bySize.values()) {
      // Several images of one size (focal planes, optical paths): the first one's parts make the level.
      const chosen = members.filter((m) => m.underlyingInstance === members[0]!.underlyingInstance);
      for (const m of chosen) used.add(m);
      const { width, height } = matrixSize(chosen[0]!);
      const image = await DicomImage.open(chosen, `level of ${width} x ${height} pixels`);
      opened.push(image);
      images.push(image);
    }
    images.sort((a, b) => b.width - a.width);
    const associated = new Map<string, DicomImage>();
    for (const [type, name] of Object.entries(ASSOCIATED)) {
      const members = unique.filter((i) => i.imageType[2] === type);
      if (members.length === 0) continue;
      const chosen = members.filter((m) => m.underlyingInstance === members[0]!.underlyingInstance);
      for (const m of chosen) used.add(m);
      // An associated image that cannot be read is left out: the slide itself is fine. A damaged one is said.
      const image = await DicomImage.open(chosen, name).catch(async (error: unknown) => {
        await closeAll(chosen);
        const failure = readError(error, chosen[0]!.file.path);
        const warning = leftOutWarning({ code: failure.code, message: `The ${name} image: ${failure.message}` });
        if (warning) warnings.push(warning);
        return null;
      });
      if (image) {
        opened.push(image);
        associated.set(name, image);
      }
    }
    await closeAll(instances.filter((i) => !used.has(i)));
    return new DicomSource(path, images, associated, warnings);
  } catch (error) {
    await closeAll(instances);
    throw error;
  }
}
