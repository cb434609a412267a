import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { MenuItemConstructorOptions } from 'electron';

import { createTranslator } from '../../shared/i18n/i18n';
import type { LanguageState } from '../../shared/i18n/languages';
import { MENU_COMMANDS, type MenuCommand, type RecentFile } from '../../shared/ipc';
import { buildMenuTemplate, type MenuActions, mnemonic } from './menu';

function recorder() {
  const calls: string[] = [];
  const actions: MenuActions = {
    openDialog: () => calls.push('openDialog'),
    openFolderDialog: () => calls.push('openFolderDialog'),
    openRecent: (path) => calls.push(`openRecent ${path}`),
    clearRecent: () => calls.push('clearRecent'),
    openSample: () => calls.push('openSample'),
    closeWindow: () => calls.push('closeWindow'),
    command: (command: MenuCommand) => calls.push(`command ${command}`),
    toggleFullScreen: () => calls.push('toggleFullScreen'),
    toggleDevTools: () => calls.push('toggleDevTools'),
    reload: () => calls.push('reload'),
    chooseLanguage: (preference) => calls.push(`language ${preference}`),
  };
  return { calls, actions };
}

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])]);
}

function click(items: MenuItemConstructorOptions[], id: string): void {
  const item = flatten(items).find((i) => i.id === id);
  assert.ok(item?.click, `no clickable item ${id}`);
  (item.click as (...args: unknown[]) => void)({}, undefined, {});
}

const recent: RecentFile[] = [
  { path: '/data/a.svs', name: 'a.svs', openedAt: '2024-01-01T00:00:00.000Z', kind: 'slide' },
  { path: '/data/R&D.tif', name: 'R&D.tif', openedAt: '2024-01-01T00:00:00.000Z', kind: 'slide' },
  { path: '/data/teaching set', name: 'teaching set', openedAt: '2024-01-01T00:00:00.000Z', kind: 'folder' },
  { path: '/data/Q&A', name: `Q&A ${'x'.repeat(80)}`, openedAt: '2024-01-01T00:00:00.000Z', kind: 'folder' },
];

const english = { t: createTranslator('en').t, language: { language: 'en', preference: 'system' } satisfies LanguageState };

describe('application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: File, View and Help hold the required items`, () => {
      const { calls, actions } = recorder();
      const template = buildMenuTemplate({ platform, appName: 'Slidescope', recent, developer: false, actions, ...english });
      const labels = template.map((m) => m.label?.replace('&', '') ?? m.role);
      assert.deepEqual(labels, platform === 'darwin' ? ['Slidescope', 'File', 'Edit', 'View', 'Window', 'Help'] : ['File', 'Edit', 'View', 'Help']);
      click(template, 'file:open');
      click(template, 'file:open-folder');
      click(template, 'recent:0');
      click(template, 'recent:clear');
      click(template, 'file:open-sample');
      click(template, 'file:close');
      click(template, 'view:fullscreen');
      assert.deepEqual(calls, ['openDialog', 'openFolderDialog', 'openRecent /data/a.svs', 'clearRecent', 'openSample', 'closeWindow', 'toggleFullScreen']);
      // Every menu command except 'fullscreen' (native) is reachable.
      for (const command of MENU_COMMANDS) {
        if (command === 'fullscreen') continue;
        calls.length = 0;
        click(template, `command:${command}`);
        assert.deepEqual(calls, [`command ${command}`]);
      }
      const items = flatten(template);
      assert.equal(items.find((i) => i.id === 'recent:1')?.label, 'R&&D.tif');
      assert.equal(items.find((i) => i.id === 'recent:1')?.toolTip, '/data/R&D.tif');
      // A folder (its gallery) is marked as one, however long its name; choosing it opens its path as the menu opens any.
      assert.equal(items.find((i) => i.id === 'recent:2')?.label, 'teaching set (folder)');
      assert.match(items.find((i) => i.id === 'recent:3')?.label ?? '', /^Q&&A x+… \(folder\)$/);
      calls.length = 0;
      click(template, 'recent:2');
      assert.deepEqual(calls, ['openRecent /data/teaching set']);
      assert.ok(!items.some((i) => i.id?.startsWith('dev:')));
      const accelerators = items.map((i) => i.accelerator).filter((a): a is string => typeof a === 'string');
      assert.equal(new Set(accelerators).size, accelerators.length, 'accelerators are unique');
    });
  }

  it('empty recent list and developer items', () => {
    const { calls, actions } = recorder();
    const items = flatten(buildMenuTemplate({ platform: 'linux', appName: 'Slidescope', recent: [], developer: true, actions, ...english }));
    assert.equal(items.find((i) => i.id === 'recent:none')?.enabled, false);
    assert.equal(items.find((i) => i.id === 'recent:clear')?.enabled, false);
    click(items, 'dev:devtools');
    click(items, 'dev:reload');
    assert.deepEqual(calls, ['toggleDevTools', 'reload']);
  });

  it('top-level menus: Alt+F, E, V, H in both languages (a Korean label takes the letter in brackets)', () => {
    assert.equal(mnemonic('File', 'F'), '&File');
    assert.equal(mnemonic('파일', 'F'), '파일(&F)');
    const { actions } = recorder();
    const english = buildMenuTemplate({
      platform: 'win32',
      appName: 'Slidescope',
      recent: [],
      developer: false,
      actions,
      t: createTranslator('en').t,
      language: { language: 'en', preference: 'en' },
    });
    assert.deepEqual(
      english.map((m) => m.label),
      ['&File', '&Edit', '&View', '&Help'],
    );
    const korean = buildMenuTemplate({
      platform: 'win32',
      appName: 'Slidescope',
      recent: [],
      developer: false,
      actions,
      t: createTranslator('ko').t,
      language: { language: 'ko', preference: 'ko' },
    });
    // Electron underlines the character after '&': an ASCII letter Alt can reach, never a Hangul syllable.
    assert.deepEqual(
      korean.map((m) => /&(.)/.exec(m.label ?? '')?.[1]),
      ['F', 'E', 'V', 'H'],
    );
  });

  it('View > Language: System, English, 한국어 as radio items; labels in the chosen language', () => {
    const { calls, actions } = recorder();
    const korean = { t: createTranslator('ko').t, language: { language: 'ko', preference: 'ko' } satisfies LanguageState };
    const template = buildMenuTemplate({ platform: 'linux', appName: 'Slidescope', recent: [], developer: false, actions, ...korean });
    assert.deepEqual(
      template.map((m) => m.label),
      ['파일(&F)', '편집(&E)', '보기(&V)', '도움말(&H)'],
    );
    const items = flatten(template);
    const language = items.find((i) => i.id === 'view:language');
    assert.equal(language?.label, '언어');
    const radios = ((language?.submenu ?? []) as MenuItemConstructorOptions[]).map((i) => [i.label, i.type, i.checked]);
    assert.deepEqual(radios, [
      ['시스템 설정', 'radio', false],
      ['English', 'radio', false],
      ['한국어', 'radio', true],
    ]);
    click(template, 'language:en');
    click(template, 'language:system');
    assert.deepEqual(calls, ['language en', 'language system']);
    assert.equal(items.find((i) => i.id === 'file:open')?.label, '열기…');
    assert.equal(items.find((i) => i.id === 'command:show-about')?.label, 'Slidescope 정보');
  });
});
