// Slide formats as the dialogs and the drop zone name them: vendors' names as they are, a
// descriptive one ("pyramidal TIFF") in the user's language.

import { SLIDE_FORMATS } from '../slide-formats';
import type { Translate } from './catalogue';

export function slideFormatLabels(t: Translate): string {
  return SLIDE_FORMATS.map((f) => (f.name === 'generic-tiff' ? t('formats.generic-tiff') : f.label)).join(', ');
}
