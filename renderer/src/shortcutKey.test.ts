import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toolForKey } from './annotations/tools';
import { commandForKey } from './commands';
import { shortcutKey } from './shortcutKey';
import { colourActionForKey } from './viewer/colourShortcuts';

test('a Latin layout: the key as typed', () => {
  assert.equal(shortcutKey({ key: 'm', code: 'KeyM', shiftKey: false }), 'm');
  assert.equal(shortcutKey({ key: 'R', code: 'KeyR', shiftKey: true }), 'R');
  // AZERTY: the A key sits where QWERTY has Q; the layout's letter wins.
  assert.equal(shortcutKey({ key: 'a', code: 'KeyQ', shiftKey: false }), 'a');
  assert.equal(shortcutKey({ key: '+', code: 'Equal', shiftKey: true }), '+');
  assert.equal(shortcutKey({ key: 'ArrowLeft', code: 'ArrowLeft', shiftKey: false }), 'ArrowLeft');
  assert.equal(shortcutKey({ key: 'Escape', code: 'Escape', shiftKey: false }), 'Escape');
});

test('Hangul input mode: a jamo or Process falls back to the physical letter', () => {
  assert.equal(shortcutKey({ key: 'ㅡ', code: 'KeyM', shiftKey: false }), 'm');
  assert.equal(shortcutKey({ key: 'Process', code: 'KeyG', shiftKey: false }), 'g');
  assert.equal(shortcutKey({ key: 'ㄲ', code: 'KeyR', shiftKey: true }), 'R');
  assert.equal(shortcutKey({ key: 'Unidentified', code: 'KeyB', shiftKey: false }), 'b');
  // Not a letter key: left alone, a Process key included.
  assert.equal(shortcutKey({ key: 'Process', code: 'Digit1', shiftKey: false }), 'Process');
});

test('the shortcut tables answer the fallback', () => {
  assert.equal(commandForKey(shortcutKey({ key: 'ㅡ', code: 'KeyM', shiftKey: false })), 'toggle-metadata');
  assert.equal(commandForKey(shortcutKey({ key: 'ㅎ', code: 'KeyG', shiftKey: false })), 'toggle-grid');
  assert.equal(commandForKey(shortcutKey({ key: 'ㄲ', code: 'KeyR', shiftKey: true })), 'rotate-left');
  assert.equal(toolForKey(shortcutKey({ key: 'ㅠ', code: 'KeyB', shiftKey: false })), 'rectangle');
  assert.equal(toolForKey(shortcutKey({ key: 'Process', code: 'KeyV', shiftKey: false })), 'select');
  assert.deepEqual(colourActionForKey(shortcutKey({ key: 'ㅊ', code: 'KeyC', shiftKey: true })), { kind: 'toggle-panel' });
});
