import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTranslator } from '../../../shared/i18n/i18n';
import type { ChannelInfo } from '../../../shared/slide';
import { channelLabel, choicesOf, displayKey, editChannel, keepHidden } from './channelChoices';

const CHANNELS: ChannelInfo[] = [
  { name: 'DAPI', colour: '#0000ff', low: 100, high: 3000, max: 4095, shown: true },
  { name: 'FITC', colour: '#00ff00', low: 50, high: 900, max: 4095, shown: true },
];

test('an edit keeps the range whole, within 0 and the max, low below high; the others untouched', () => {
  assert.deepEqual(editChannel(CHANNELS, 0, { low: 5000 })[0], { ...CHANNELS[0], low: 2999 });
  assert.deepEqual(editChannel(CHANNELS, 0, { high: 10.6 })[0], { ...CHANNELS[0], high: 101 });
  assert.deepEqual(editChannel(CHANNELS, 0, { high: 99_999 })[0], { ...CHANNELS[0], high: 4095 });
  assert.deepEqual(editChannel(CHANNELS, 0, { low: -3 })[0], { ...CHANNELS[0], low: 0 });
  const hidden = editChannel(CHANNELS, 1, { shown: false, colour: '#ff00ff' });
  assert.equal(hidden[0], CHANNELS[0]);
  assert.deepEqual(hidden[1], { ...CHANNELS[1], shown: false, colour: '#ff00ff' });
});

test('the engine is asked for the channels shown, by position; the display key changes with any of it', () => {
  const hidden = editChannel(CHANNELS, 0, { shown: false });
  assert.deepEqual(choicesOf(hidden), [{ channel: 1, colour: '#00ff00', low: 50, high: 900 }]);
  const keys = new Set([CHANNELS, hidden, editChannel(CHANNELS, 1, { colour: '#ffffff' }), editChannel(CHANNELS, 1, { low: 51 })].map((c) => displayKey(c)));
  assert.equal(keys.size, 4);
  assert.equal(displayKey(undefined), '');
  // The plane too: the first plane's key is the one a slide of one plane has.
  const planes = [undefined, { z: 0, t: 0 }, { z: 1, t: 0 }, { z: 0, t: 1 }, { z: 1, t: 1 }].map((plane) => displayKey(CHANNELS, plane));
  assert.equal(planes[0], planes[1]);
  assert.equal(new Set(planes).size, 4);
});

test('a channel hidden keeps the colour and range it was given: the engine, told only of the channels shown, answers its own', () => {
  const edited = editChannel(editChannel(CHANNELS, 1, { colour: '#ffff00', low: 200 }), 1, { shown: false });
  // The engine's answer: FITC hidden, in the colour and range the slide first showed it in.
  const answer = [CHANNELS[0]!, { ...CHANNELS[1]!, shown: false }];
  const panel = keepHidden(answer, edited);
  assert.deepEqual(panel[1], { ...CHANNELS[1], colour: '#ffff00', low: 200, shown: false });
  assert.equal(panel[0], answer[0]);
  // Shown again, it is asked for as it was set.
  assert.deepEqual(choicesOf(editChannel(panel, 1, { shown: true }))[1], { channel: 1, colour: '#ffff00', low: 200, high: 900 });
});

test("a channel the file names none is labelled in the app's language (the engine names it Channel 3); a named one by its name", () => {
  const unnamed = { ...CHANNELS[0]!, name: 'Channel 3' };
  assert.equal(channelLabel(createTranslator('ko').t, unnamed, 2), '채널 3');
  assert.equal(channelLabel(createTranslator('en').t, unnamed, 2), 'Channel 3');
  assert.equal(channelLabel(createTranslator('ko').t, CHANNELS[1]!, 1), 'FITC');
  // Named so in another place: the file's own name.
  assert.equal(channelLabel(createTranslator('ko').t, unnamed, 0), 'Channel 3');
});
