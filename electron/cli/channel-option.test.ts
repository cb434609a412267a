import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelsOption, channelsText } from './channel-option';
import { UsageError } from './usage-error';

test('--channels: names or numbers, each with a colour and a range in either order; the recipe text is canonical', () => {
  const choices = channelsOption(' DAPI:Blue , 3:1200-4000:#FF8000,CD8 ');
  assert.deepEqual(choices, [{ channel: 'DAPI', colour: '#0000ff' }, { channel: '3', colour: '#ff8000', low: 1200, high: 4000 }, { channel: 'CD8' }]);
  assert.deepEqual(channelsText(choices), ['--channels DAPI:#0000ff,3:#ff8000:1200-4000,CD8']);
  assert.deepEqual(channelsText(undefined), []);
  assert.equal(channelsOption(undefined), undefined);
});

test('--channels: an empty entry, a second colour or range, or a word that is neither is a usage error', () => {
  for (const [value, message] of [
    ['DAPI,,FITC', /separated by commas/],
    ['DAPI:red:blue', /"blue" in "DAPI:red:blue" is not a colour/],
    ['DAPI:1-2:3-4', /"3-4"/],
    ['DAPI:1000', /"1000"/],
    [':red', /names no channel/],
  ] as const) {
    assert.throws(
      () => channelsOption(value),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      value,
    );
  }
});

test('--channels: a name with a comma or colon is written in double quotes, and the recipe quotes it so', () => {
  const choices = channelsOption('"CD8, FITC":red,"Cy5: CD3":100-900, "채널 1" ,DAPI');
  assert.deepEqual(choices, [
    { channel: 'CD8, FITC', colour: '#ff0000' },
    { channel: 'Cy5: CD3', low: 100, high: 900 },
    { channel: '채널 1' },
    { channel: 'DAPI' },
  ]);
  assert.deepEqual(channelsText(choices), ['--channels "CD8, FITC":#ff0000,"Cy5: CD3":100-900,채널 1,DAPI']);
  assert.deepEqual(channelsOption(channelsText(choices)[0]!.slice('--channels '.length)), choices);
  for (const [value, message] of [
    ['"CD8, FITC', /an unclosed double quote/],
    ['CD"8":red', /quotes a whole name/],
    ['"":red', /names no channel/],
    // A colon in a name unquoted: the rest is read as a colour, and the message says how to write it.
    ['Cy5: CD3', /"CD3" in "Cy5: CD3" is not a colour .* a name with a comma or colon in double quotes/],
  ] as const) {
    assert.throws(
      () => channelsOption(value),
      (error: unknown) => error instanceof UsageError && message.test(error.message),
      value,
    );
  }
});
