// One i18next instance per process (main, each renderer window) over the catalogues, with the
// catalogue-typed translate function. Plurals follow Intl.PluralRules (i18next's `_one`/`_other`).

import i18next, { type i18n } from 'i18next';
import type { Translate } from './catalogue';
import { en } from './en';
import { ko } from './ko';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './languages';

export const RESOURCES = { en: { translation: en }, ko: { translation: ko } } as const;

export interface Translator {
  readonly i18n: i18n;
  readonly t: Translate;
}

/** A ready instance (synchronous: the catalogues are bundled, nothing is fetched). */
export function createTranslator(language: Language = DEFAULT_LANGUAGE): Translator {
  const instance = i18next.createInstance();
  void instance.init({
    resources: RESOURCES,
    lng: language,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    initAsync: false,
    // React escapes what it renders; menus and dialogs are plain text.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  return { i18n: instance, t: translateWith(instance) };
}

/** i18next's t, typed by the catalogue (its own key typing is not declared for this project). */
export function translateWith(instance: i18n): Translate {
  return ((key: string, values?: Record<string, unknown>) => (values ? instance.t(key, values) : instance.t(key))) as Translate;
}
