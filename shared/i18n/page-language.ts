// The window's language travels in its page's URL (`?lang=ko`): main puts there the language it
// resolved when it loads a window, so the renderer draws its first frame in it instead of the
// browser's and then switching (main's app:language answer comes only after the first paint).

import { isLanguage, type Language } from './languages';

export const LANGUAGE_PARAM = 'lang';

/** The page URL with the window's language set (any other parameter kept). */
export function withLanguage(url: string, language: Language): string {
  const u = new URL(url);
  u.searchParams.set(LANGUAGE_PARAM, language);
  return u.href;
}

/** The language a page URL's query names; null when absent or not one Slidescope speaks. */
export function languageOfSearch(search: string): Language | null {
  const value = new URLSearchParams(search).get(LANGUAGE_PARAM);
  return isLanguage(value) ? value : null;
}
