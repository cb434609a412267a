// View > Language: follow the system, English or Korean, remembered across restarts in the app's
// settings file (userData/settings.json). Which language that means comes from the system's
// preferred languages, asked of Electron by main (the e2e host passes the browser's locale).

import { join } from 'node:path';

import { isLanguagePreference, type LanguagePreference, type LanguageState, resolveLanguage } from '../../shared/i18n/languages';
import { readJsonFile, SerialQueue, writeJsonAtomic } from './json-file';

export const SETTINGS_NAME = 'settings.json';

export interface LanguageSettingOptions {
  dir: string;
  /** The system's preferred languages, most preferred first (BCP 47 tags). */
  systemLanguages: () => readonly string[];
  onError?: (message: string, error: unknown) => void;
}

export class LanguageSetting {
  readonly file: string;
  private preference: LanguagePreference = 'system';
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<(state: LanguageState) => void>();

  constructor(private readonly options: LanguageSettingOptions) {
    this.file = join(options.dir, SETTINGS_NAME);
  }

  /** Reads the saved choice; a missing or unreadable file means 'system'. */
  async load(): Promise<LanguageState> {
    const read = await readJsonFile(this.file);
    if (read.kind === 'corrupt') this.options.onError?.(`ignoring unreadable ${this.file}`, read.error);
    const saved = read.kind === 'ok' && typeof read.value === 'object' && read.value !== null ? (read.value as { language?: unknown }).language : undefined;
    this.preference = isLanguagePreference(saved) ? saved : 'system';
    return this.state();
  }

  state(): LanguageState {
    return { language: resolveLanguage(this.preference, this.options.systemLanguages()), preference: this.preference };
  }

  /** The menu's choice: saved, then every listener hears the new state. */
  async choose(preference: LanguagePreference): Promise<void> {
    this.preference = preference;
    const state = this.state();
    for (const listener of this.listeners) listener(state);
    try {
      await this.writes.run(() => writeJsonAtomic(this.file, { language: preference }));
    } catch (error) {
      this.options.onError?.(`could not save ${this.file}`, error);
    }
  }

  onChange(listener: (state: LanguageState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
