// The alignment file of compared slides: what is read, what is refused (hostile input included), and
// how its entries find their slides.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALIGNMENT_FORMAT, alignmentOf, formatAlignment, parseAlignment, placementsFor } from './compare-alignment';
import { LIMITS } from './limits';

const GOOD = JSON.stringify({
  format: 'slidescope-alignment',
  version: 1,
  slides: [
    { name: 'HE.svs', offsetMicrons: { x: 0, y: 0 }, rotationDegrees: 0 },
    { name: 'CD3.svs', offsetMicrons: { x: 152.4, y: -38 }, rotationDegrees: 1.5 },
  ],
});

function refused(text: string, code: string, pattern: RegExp): void {
  const result = parseAlignment(text, 'a.json');
  assert.equal(result.ok, false, text.slice(0, 80));
  if (result.ok) return;
  assert.equal(result.error.code, code);
  assert.match(result.error.message, pattern);
  assert.match(result.error.message, /^a\.json: /);
  assert.equal(result.error.path, 'a.json');
}

describe('alignment files', () => {
  it('reads a file and writes it back the same', () => {
    const read = parseAlignment(GOOD);
    assert.ok(read.ok);
    assert.deepEqual(read.value.slides[1], { name: 'CD3.svs', offset: { x: 152.4, y: -38 }, rotation: 1.5 });
    const again = parseAlignment(formatAlignment(read.value));
    assert.deepEqual(again, read);
    // A byte-order mark (Windows editors) is fine; rotations are normalised.
    const bom = parseAlignment(`\uFEFF${GOOD.replace('"rotationDegrees":1.5', '"rotationDegrees":-358.5')}`);
    assert.ok(bom.ok);
    assert.equal(bom.value.slides[1]?.rotation, 1.5);
  });

  it('refuses what is not an alignment, naming the field and the rule', () => {
    refused('', 'CORRUPT_DATA', /not JSON/);
    refused('{"format": ', 'CORRUPT_DATA', /not JSON/);
    refused('[]', 'CORRUPT_DATA', /must be a JSON object/);
    refused('null', 'CORRUPT_DATA', /must be a JSON object/);
    refused(GOOD.replace('slidescope-alignment', 'qupath'), 'CORRUPT_DATA', /format must be "slidescope-alignment"/);
    refused(GOOD.replace('"version":1', '"version":2'), 'CORRUPT_DATA', /version must be 1/);
    refused(GOOD.replace('"x":152.4', '"x":"152.4"'), 'CORRUPT_DATA', /slides\[1\]\.offsetMicrons\.x must be a number/);
    refused(GOOD.replace('"x":152.4', '"x":1e300'), 'CORRUPT_DATA', /must be at most 10000000 µm/);
    refused(GOOD.replace('"rotationDegrees":1.5', '"rotationDegrees":720'), 'CORRUPT_DATA', /rotationDegrees must be at most 360/);
    refused(GOOD.replace('"CD3.svs"', '"../../etc/passwd"'), 'CORRUPT_DATA', /must be a file name/);
    refused(GOOD.replace('"CD3.svs"', '"CD3\\u0000.svs"'), 'CORRUPT_DATA', /must be a file name/);
    refused(GOOD.replace('"CD3.svs"', `"${'a'.repeat(300)}"`), 'CORRUPT_DATA', /longer than 255/);
    refused(GOOD.replace('"rotationDegrees":0}', '"rotationDegrees":0,"__proto__":{"x":1}}'), 'CORRUPT_DATA', /unexpected field/);
    refused(GOOD.replace('"offsetMicrons":{"x":0,"y":0},', ''), 'CORRUPT_DATA', /slides\[0\]\.offsetMicrons is missing/);
    const five = {
      format: ALIGNMENT_FORMAT,
      version: 1,
      slides: Array.from({ length: 5 }, (_, i) => ({ name: `${i}.svs`, offsetMicrons: { x: 0, y: 0 }, rotationDegrees: 0 })),
    };
    refused(JSON.stringify(five), 'CORRUPT_DATA', /must have 1 to 4 entries/);
    refused(JSON.stringify({ ...five, slides: [] }), 'CORRUPT_DATA', /must have 1 to 4 entries/);
  });

  it('refuses a file too large before parsing it, and deep nesting without a stack overflow', () => {
    refused(`${GOOD}${' '.repeat(LIMITS.maxAlignmentFileBytes)}`, 'TOO_LARGE', /more than the 65536/);
    const deep = `${'['.repeat(20_000)}${']'.repeat(20_000)}`;
    refused(deep, 'CORRUPT_DATA', /must be a JSON object/);
  });

  it('matches entries to the compared slides by file name, in order for a name used twice', () => {
    const read = parseAlignment(GOOD);
    assert.ok(read.ok);
    const placed = placementsFor(read.value, ['/b/CD3.svs', '/a/HE.svs', '/c/PAS.svs']);
    assert.ok(placed.ok);
    assert.deepEqual(placed.value[0], { offset: { x: 152.4, y: -38 }, rotation: 1.5 });
    assert.deepEqual(placed.value[1], { offset: { x: 0, y: 0 }, rotation: 0 });
    // A slide the file does not name stays as scanned.
    assert.deepEqual(placed.value[2], { offset: { x: 0, y: 0 }, rotation: 0 });
    const twice = alignmentOf(
      ['/x/s.svs', '/y/s.svs'],
      [
        { offset: { x: 1, y: 2 }, rotation: 0 },
        { offset: { x: 3, y: 4 }, rotation: 5 },
      ],
    );
    const matched = placementsFor(twice, ['/p/s.svs', '/q/s.svs']);
    assert.ok(matched.ok);
    assert.deepEqual(
      matched.value.map((p) => p.offset),
      [
        { x: 1, y: 2 },
        { x: 3, y: 4 },
      ],
    );
  });

  it('refuses a file made for another set of slides', () => {
    const read = parseAlignment(GOOD);
    assert.ok(read.ok);
    const other = placementsFor(read.value, ['/a/HE.svs', '/a/PAS.svs'], 'a.json');
    assert.equal(other.ok, false);
    if (!other.ok) {
      assert.equal(other.error.code, 'INVALID_ARGUMENT');
      assert.match(other.error.message, /names CD3\.svs, which is not among the compared slides \(HE\.svs, PAS\.svs\)/);
    }

    // A slide compared once that the file names three times: said so, not "not among" them.
    const thrice = alignmentOf(['/a/HE.svs', '/b/HE.svs', '/c/HE.svs'], []);
    const once = placementsFor(thrice, ['/a/HE.svs', '/a/PAS.svs'], 'dup.json');
    assert.equal(!once.ok && once.error.message, 'dup.json: the alignment names HE.svs 3 times, but one slide of that name is compared');
  });
});
