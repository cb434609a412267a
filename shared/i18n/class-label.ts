// A class's name as the user reads it: QuPath's standard classes in the user's language (Korean with
// QuPath's own name beside it, which is what QuPath and the GeoJSON file say); any other as named.
// The window's lists and main's exported legends both say it so.

import { QUPATH_CLASSES } from '../annotations';
import type { LegendLabels } from '../operations';
import type { Translate } from './catalogue';
import type { en } from './en';

type QuPathClass = keyof (typeof en)['qupathClasses'];

const STANDARD: ReadonlySet<string> = new Set(QUPATH_CLASSES.map((c) => c.name));

export function classLabel(t: Translate, name: string | null): string {
  if (name === null) return t('common.unclassified');
  return STANDARD.has(name) ? t(`qupathClasses.${name as QuPathClass}`) : name;
}

/** What an exported legend calls the classes it can name in the user's language. */
export function legendLabels(t: Translate): LegendLabels {
  return { unclassified: classLabel(t, null), classes: QUPATH_CLASSES.map((c) => ({ name: c.name, label: classLabel(t, c.name) })) };
}
