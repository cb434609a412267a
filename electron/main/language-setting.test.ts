import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LanguageState } from '../../shared/i18n/languages';
import { LanguageSetting, SETTINGS_NAME } from './language-setting';

describe('LanguageSetting', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slidescope-language-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('follows the system until a language is chosen, and remembers the choice', async () => {
    const setting = new LanguageSetting({ dir, systemLanguages: () => ['ko-KR', 'en-US'] });
    assert.deepEqual(await setting.load(), { language: 'ko', preference: 'system' });
    const heard: LanguageState[] = [];
    setting.onChange((state) => heard.push(state));
    await setting.choose('en');
    assert.deepEqual(heard, [{ language: 'en', preference: 'en' }]);
    assert.deepEqual(JSON.parse(await readFile(join(dir, SETTINGS_NAME), 'utf8')), { language: 'en' });
    // A restart on the same system.
    const again = new LanguageSetting({ dir, systemLanguages: () => ['ko-KR'] });
    assert.deepEqual(await again.load(), { language: 'en', preference: 'en' });
    await again.choose('system');
    assert.deepEqual(again.state(), { language: 'ko', preference: 'system' });
  });

  it('reads a damaged or foreign settings file as "system"', async () => {
    const errors: string[] = [];
    for (const text of ['{ not json', '{"language":"de"}', '[]']) {
      await writeFile(join(dir, SETTINGS_NAME), text);
      const setting = new LanguageSetting({ dir, systemLanguages: () => ['fr-FR'], onError: (message) => errors.push(message) });
      assert.deepEqual(await setting.load(), { language: 'en', preference: 'system' });
    }
    assert.equal(errors.length, 1);
  });
});
