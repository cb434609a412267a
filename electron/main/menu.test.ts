import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { MenuItemConstructorOptions } from 'electron';

import { MENU_COMMANDS, type MenuCommand } from '../../shared/ipc';
import { buildMenuTemplate, type MenuActions } from './menu';

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

const recent = [
  { path: '/data/a.svs', name: 'a.svs', openedAt: '2024-01-01T00:00:00.000Z' },
  { path: '/data/R&D.tif', name: 'R&D.tif', openedAt: '2024-01-01T00:00:00.000Z' },
];

describe('application menu', () => {
  for (const platform of ['linux', 'win32', 'darwin'] as const) {
    it(`${platform}: File, View and Help hold the required items`, () => {
      const { calls, actions } = recorder();
      const template = buildMenuTemplate({ platform, appName: 'Slidescope', recent, developer: false, actions });
      const labels = template.map((m) => m.label?.replace('&', '') ?? m.role);
      assert.deepEqual(labels, platform === 'darwin' ? ['Slidescope', 'File', 'Edit', 'View', 'windowMenu', 'Help'] : ['File', 'Edit', 'View', 'Help']);
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
      assert.ok(!items.some((i) => i.id?.startsWith('dev:')));
      const accelerators = items.map((i) => i.accelerator).filter((a): a is string => typeof a === 'string');
      assert.equal(new Set(accelerators).size, accelerators.length, 'accelerators are unique');
    });
  }

  it('empty recent list and developer items', () => {
    const { calls, actions } = recorder();
    const items = flatten(buildMenuTemplate({ platform: 'linux', appName: 'Slidescope', recent: [], developer: true, actions }));
    assert.equal(items.find((i) => i.id === 'recent:none')?.enabled, false);
    assert.equal(items.find((i) => i.id === 'recent:clear')?.enabled, false);
    click(items, 'dev:devtools');
    click(items, 'dev:reload');
    assert.deepEqual(calls, ['toggleDevTools', 'reload']);
  });
});
