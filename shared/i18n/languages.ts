// The languages Slidescope speaks, and which one a list of preferred languages (the OS's, or the
// browser's) picks. Pure data: main and the renderer decide with the same rule.

export const LANGUAGES = ['en', 'ko'] as const;
export type Language = (typeof LANGUAGES)[number];

/** What the user chose in View > Language: follow the system, or a language. */
export const LANGUAGE_PREFERENCES = ['system', ...LANGUAGES] as const;
export type LanguagePreference = (typeof LANGUAGE_PREFERENCES)[number];

/** Each language by its own name, as language menus show them (never translated). */
export const LANGUAGE_NAMES: Record<Language, string> = { en: 'English', ko: '한국어' };

export const DEFAULT_LANGUAGE: Language = 'en';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

export function isLanguagePreference(value: unknown): value is LanguagePreference {
  return typeof value === 'string' && (LANGUAGE_PREFERENCES as readonly string[]).includes(value);
}

/** The first preferred language (BCP 47 tags: 'ko-KR', 'en-US', 'ko') Slidescope speaks, else English. */
export function languageFor(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    const primary = tag.split(/[-_]/)[0]?.toLowerCase();
    if (isLanguage(primary)) return primary;
  }
  return DEFAULT_LANGUAGE;
}

/** The language a preference means on a system whose preferred languages are `system`. */
export function resolveLanguage(preference: LanguagePreference, system: readonly string[]): Language {
  return preference === 'system' ? languageFor(system) : preference;
}

/** What a window needs to know: the language to show and what the user chose. */
export interface LanguageState {
  language: Language;
  preference: LanguagePreference;
}
