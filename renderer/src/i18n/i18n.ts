// The window's language: one i18next instance over the shared catalogues, first in the one main
// loaded the page in (`?lang=`, else the browser's), then in main's (its answer to app:language at
// start, and app:language-changed when View > Language changes). <html lang> follows, for screen
// readers and the font stack, and so does the URL, so that a reload starts in the language shown.

import { useTranslation } from 'react-i18next';
import type { Translate } from '../../../shared/i18n/catalogue';
import { createTranslator } from '../../../shared/i18n/i18n';
import type { Language } from '../../../shared/i18n/languages';
import { withLanguage } from '../../../shared/i18n/page-language';
import type { SlidescopeApi } from '../../../shared/ipc';

const translator = createTranslator();

export const i18n = translator.i18n;

/**
 * Translates outside React (tables, error descriptions): call it while rendering a component that
 * uses useT, so a change of language renders it again.
 */
export const t: Translate = translator.t;

/**
 * The translate function of a component: it renders again when the language changes. It is
 * react-i18next's own t (the same function until the language changes, so callbacks and effects
 * that name it run again only then), typed by the catalogue.
 */
export function useT(): Translate {
  return useTranslation().t as unknown as Translate;
}

export function currentLanguage(): Language {
  return i18n.language === 'ko' ? 'ko' : 'en';
}

export function applyLanguage(language: Language): void {
  document.documentElement.lang = language;
  if (i18n.language !== language) void i18n.changeLanguage(language);
  const url = withLanguage(window.location.href, language);
  if (url !== window.location.href) window.history.replaceState(window.history.state, '', url);
}

/** Main's language for this window (it stays the browser's when main cannot say), then its changes. */
export async function followMainLanguage(api: SlidescopeApi): Promise<void> {
  api.on('app:language-changed', (state) => applyLanguage(state.language));
  const answer = await api.language();
  if (answer.ok) applyLanguage(answer.value.language);
}
