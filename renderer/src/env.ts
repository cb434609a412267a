// Runtime switches read once from the page URL (and a build-time fallback). The main process or the
// e2e host chooses them; a user cannot, since the window's URL is not editable.

import type OpenSeadragon from 'openseadragon';
import type { Language } from '../../shared/i18n/languages';
import { languageOfSearch } from '../../shared/i18n/page-language';

const params = new URLSearchParams(window.location.search);

/**
 * Which OpenSeadragon drawer to use. Headless Chromium runs WebGL in software (10-20x slower than the
 * canvas drawer), so tests ask for 'canvas'; otherwise OSD picks (WebGL where it works).
 */
export function drawerChoice(): OpenSeadragon.DrawerType {
  const fromUrl = params.get('drawer');
  const fromBuild = import.meta.env['VITE_SLIDESCOPE_DRAWER'] as string | undefined;
  const wanted = fromUrl ?? fromBuild;
  return wanted === 'canvas' || wanted === 'webgl' || wanted === 'html' ? wanted : 'auto';
}

/** The e2e suite reads the viewer state through a small handle instead of guessing from pixels. */
export const e2eHooksEnabled = params.has('e2e');

/** The language main loaded this window in (`?lang=`); null when the page was opened without one. */
export const pageLanguage: Language | null = languageOfSearch(window.location.search);
