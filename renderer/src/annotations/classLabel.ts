// A class's name as a window shows it: QuPath's standard classes in the window's language (Korean
// with QuPath's own name beside it, which is what QuPath and the GeoJSON file say); any other as named.

import { QUPATH_CLASSES } from '../../../shared/annotations';
import type { Translate } from '../../../shared/i18n/catalogue';
import type { en } from '../../../shared/i18n/en';

type QuPathClass = keyof (typeof en)['qupathClasses'];

const STANDARD: ReadonlySet<string> = new Set(QUPATH_CLASSES.map((c) => c.name));

export function classLabel(t: Translate, name: string | null): string {
  if (name === null) return t('common.unclassified');
  return STANDARD.has(name) ? t(`qupathClasses.${name as QuPathClass}`) : name;
}
