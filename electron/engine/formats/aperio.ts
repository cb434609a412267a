// Aperio SVS: a TIFF whose first ImageDescription starts "Aperio". Tiled directories are the
// pyramid; the first untiled one is the thumbnail; label and macro are named in their descriptions.

import type { Mpp } from '../../../shared/slide';
import { slideFormat } from '../../../shared/slide-formats';
import type { TiffDirectory } from '../tiff/tiff-file';
import type { FormatPlugin } from './format-plugin';
import { TiffPyramidSource } from './tiff-pyramid-source';

/** "Aperio Image Library v10.0.51\r\n46920x33014 [...] ...|AppMag = 20|MPP = 0.4990" -> key/values. */
export function parseAperioDescription(description: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const parts = description.split('|');
  for (const part of parts.slice(1)) {
    const eq = part.indexOf(' = ');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    // A repeated key keeps its last value, as OpenSlide does (OriginalWidth appears twice).
    if (key) fields[key] = part.slice(eq + 3).trim();
  }
  return fields;
}

function associatedName(dir: TiffDirectory): string | null {
  const second = dir.description?.split(/\r?\n/)[1]?.trim() ?? '';
  const word = second.split(/\s+/)[0]?.toLowerCase() ?? '';
  return word === 'label' || word === 'macro' ? word : null;
}

function positive(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

export const aperioFormat: FormatPlugin = {
  info: slideFormat('aperio'),
  async detect(probe) {
    const tiff = await probe.tiff();
    return tiff?.directories[0]?.description?.startsWith('Aperio') === true;
  },
  async open(probe) {
    const tiff = (await probe.tiff())!;
    const dirs = tiff.directories;
    const levels = dirs.filter((d) => d.tiled).sort((a, b) => b.width - a.width);
    const associated = new Map<string, TiffDirectory>();
    dirs.forEach((dir, i) => {
      if (dir.tiled) return;
      const name = associatedName(dir) ?? (i === 1 ? 'thumbnail' : null);
      if (name && !associated.has(name)) associated.set(name, dir);
    });
    const fields = parseAperioDescription(dirs[0]!.description ?? '');
    const properties: Record<string, string> = {};
    for (const [key, value] of Object.entries(fields)) properties[`aperio.${key}`] = value;
    const mppValue = positive(fields.MPP);
    const mpp: Mpp | null = mppValue === null ? null : { x: mppValue, y: mppValue };
    return TiffPyramidSource.create(tiff, {
      format: 'aperio',
      vendor: 'aperio',
      levels: levels.length > 0 ? levels : [dirs[0]!],
      associated,
      objectivePower: positive(fields.AppMag),
      mpp,
      properties,
    });
  },
};
