import assert from 'node:assert/strict';
import { test } from 'node:test';
import { channelsOption, channelsText, planeOption, shownOption } from './channel-option';
import { UsageError } from './usage-error';

test('--channels: names or numbers, each with a colour and a range in either order; the recipe text is canonical', () => {
  const choices = channelsOption(' DAPI:Blue , 3:1200-4000:#FF8000,CD8 ');
  assert.deepEqual(choices, [{ channel: 'DAPI', colour: '#0000ff' }, { channel: '3', colour: '#ff8000', low: 1200, high: 4000 }, { channel: 'CD8' }]);
  assert.deepEqual(channelsText({ channels: choices! }), ['--channels DAPI:#0000ff,3:#ff8000:1200-4000,CD8']);
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
  assert.deepEqual(channelsText({ channels: choices! }), ['--channels "CD8, FITC":#ff0000,"Cy5: CD3":100-900,채널 1,DAPI']);
  assert.deepEqual(channelsOption(channelsText({ channels: choices! })[0]!.slice('--channels '.length)), choices);
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

test('--plane: Z or Z,T numbered from 1 (as --channels numbers channels), the engine given them from 0; the recipe records a plane but the first', () => {
  assert.deepEqual(planeOption('3'), { z: 2, t: 0 });
  assert.deepEqual(planeOption(' 2 , 5 '), { z: 1, t: 4 });
  assert.equal(planeOption(undefined), undefined);
  assert.deepEqual(shownOption('DAPI', '2,3'), { channels: [{ channel: 'DAPI' }], plane: { z: 1, t: 2 } });
  assert.deepEqual(shownOption(undefined, '1'), { plane: { z: 0, t: 0 } });
  assert.equal(shownOption(undefined, undefined), undefined);
  assert.deepEqual(channelsText(shownOption('DAPI', '2,3')), ['--channels DAPI', '--plane 2,3']);
  // Plane 1,1 makes the pixels no --plane makes: one recipe.
  assert.deepEqual(channelsText(shownOption(undefined, '1,1')), []);
  for (const value of ['0', '1,0', '-1', 'a', '1,2,3', '', '1.5', '99999999999']) {
    assert.throws(
      () => planeOption(value),
      (error: unknown) => error instanceof UsageError && /--plane takes Z or Z,T: a focal plane and a timepoint, each from 1/.test(error.message),
      value,
    );
  }
});
