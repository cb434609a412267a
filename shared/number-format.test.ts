// The plain writer keeps the engine's and the CLI's numbers as they were; the unit choice takes any
// writer, as the renderer passes its locale's (Intl).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatArea, formatLength } from './annotation-geometry';
import { formatMpp, formatPower } from './magnification';
import { groupedInteger, type NumberWriter, numberFormatOptions, plainNumber } from './number-format';

function intl(locale: string): NumberWriter {
  return (value, digits) => new Intl.NumberFormat(locale, numberFormatOptions(digits)).format(value);
}

describe('number writers', () => {
  it('plain: powers, µm/px and measurements as file names and reports have them', () => {
    assert.equal(formatPower(1.25), '1.25x');
    assert.equal(formatPower(20), '20x');
    assert.equal(formatPower(4.98999), '4.99x');
    assert.equal(formatMpp(0.4990001), '0.50 µm/px');
    assert.equal(formatMpp(16), '16.0 µm/px');
    assert.equal(formatLength(12.3456, 'µm'), '12.35 µm');
    assert.equal(formatArea(20_000, 'µm'), '0.02 mm²');
    assert.equal(plainNumber(2.5, { maxFraction: 2 }), '2.5');
  });

  it('a locale writer picks the same units and digits; English and Korean write numbers alike', () => {
    for (const locale of ['en-US', 'ko-KR']) {
      const write = intl(locale);
      assert.equal(formatPower(1.25, write), '1.25x');
      assert.equal(formatMpp(0.4990001, write), '0.50 µm/px');
      assert.equal(formatLength(1500, 'µm', write), '1.5 mm');
      assert.equal(formatArea(5000, 'µm', write), '5000 µm²');
    }
    assert.equal(formatLength(12.35, 'µm', intl('de-DE')), '12,35 µm');
  });

  it('groups a whole number in thousands as en-US does', () => {
    for (const n of [0, 7, 999, 1000, 65_536, 999_999, 1_000_000, 67_108_864, 2 ** 40, -1234567]) {
      assert.equal(groupedInteger(n), n.toLocaleString('en-US'));
    }
  });
});
